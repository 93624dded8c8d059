"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2Icon } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

import type { KeyRow } from "./keys-view";

export function RemoveKeyDialog({ credential }: { credential: KeyRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.credential.remove.mutationOptions());
  const inUse = credential._count.hosts;

  const onRemove = async (): Promise<void> => {
    await remove.mutateAsync({ credentialId: credential.id });
    await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
    toast.success(`Removed ${credential.name}`);
  };

  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Remove key ${credential.name}`}
          title="Remove key"
          className="text-muted-foreground hover:text-destructive"
        >
          <Trash2Icon aria-hidden />
        </Button>
      }
      title={`Remove ${credential.name}?`}
      description={
        inUse > 0
          ? `${inUse} host${inUse === 1 ? " uses" : "s use"} this key: remove ${inUse === 1 ? "that host" : "those hosts"} first.`
          : "Wharf deletes the key pair. Hosts that trust its public key keep it in authorized_keys until you remove it there."
      }
      confirmLabel="Remove key"
      canConfirm={inUse === 0}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={onRemove}
      onClosed={() => remove.reset()}
    />
  );
}
