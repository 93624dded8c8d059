"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription } from "~/components/ui/alert";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "~/components/ui/alert-dialog";
import { Button } from "~/components/ui/button";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { KeyRow } from "./keys-view";

export function RemoveKeyDialog({ credential }: { credential: KeyRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation(trpc.credential.remove.mutationOptions());
  const inUse = credential._count.hosts;

  const changeOpen = (next: boolean): void => {
    if (remove.isPending) return;
    setOpen(next);
    if (!next) remove.reset();
  };

  const onRemove = async (): Promise<void> => {
    await remove.mutateAsync({ credentialId: credential.id });
    await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
    toast.success(`Removed ${credential.name}`);
    setOpen(false);
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Remove key ${credential.name}`}
          title="Remove key"
          className="text-muted-foreground hover:text-destructive"
        >
          <Trash2Icon aria-hidden />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Remove {credential.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            {inUse > 0
              ? `${inUse} host${inUse === 1 ? " uses" : "s use"} this key: remove ${inUse === 1 ? "that host" : "those hosts"} first.`
              : "Wharf deletes the key pair. Hosts that trust its public key keep it in authorized_keys until you remove it there."}
          </AlertDialogDescription>
        </AlertDialogHeader>
        {remove.error ? (
          <Alert variant="destructive">
            <AlertCircleIcon aria-hidden />
            <AlertDescription>{errorMessage(remove.error)}</AlertDescription>
          </Alert>
        ) : null}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" disabled={inUse > 0 || remove.isPending} onClick={() => void onRemove().catch(() => undefined)}>
            {remove.isPending ? <Spinner /> : null}
            Remove key
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
