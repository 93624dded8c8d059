"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
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
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { HostDetail } from "./host-view";

export function RemoveHostDialog({ host }: { host: HostDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [stopAgent, setStopAgent] = useState(true);
  const remove = useMutation(trpc.host.remove.mutationOptions());
  const confirmed = typed.trim() === host.name;

  const changeOpen = (next: boolean): void => {
    if (remove.isPending) return;
    setOpen(next);
    if (!next) {
      setTyped("");
      setStopAgent(true);
      remove.reset();
    }
  };

  const onRemove = async (): Promise<void> => {
    const { agentStopped } = await remove.mutateAsync({ hostId: host.id, stopAgent });
    // The page is about to disappear: stop polling it before navigating away.
    queryClient.removeQueries(trpc.host.byId.queryFilter({ hostId: host.id }));
    await queryClient.invalidateQueries(trpc.host.list.queryFilter());
    toast.success(
      stopAgent && !agentStopped ? `Removed ${host.name}; its agent could not be stopped (the host did not answer).` : `Removed ${host.name}`,
    );
    router.push("/hosts");
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>
        <Button variant="outline" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <Trash2Icon aria-hidden />
          Remove host
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed) onRemove().catch(() => undefined);
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle>Remove {host.name}?</AlertDialogTitle>
            <AlertDialogDescription>
              Wharf forgets this host, its pinned key and its status. Containers on the host keep running. The SSH key stays saved.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {remove.error ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertDescription>{errorMessage(remove.error)}</AlertDescription>
            </Alert>
          ) : null}
          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>
              Type <span className="font-mono font-semibold">{host.name}</span> to confirm
            </Label>
            <Input
              id={`${id}-name`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              autoFocus
            />
          </div>
          <label htmlFor={`${id}-stop`} className="flex items-start gap-3 text-sm">
            <input
              id={`${id}-stop`}
              type="checkbox"
              checked={stopAgent}
              onChange={(event) => setStopAgent(event.target.checked)}
              className="mt-0.5 size-4 accent-primary"
            />
            <span className="grid gap-0.5">
              <span className="font-medium">Also stop the agent on the host</span>
              <span className="text-muted-foreground">Best effort: skipped if the host does not answer.</span>
            </span>
          </label>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={!confirmed || remove.isPending}>
              {remove.isPending ? <Spinner /> : null}
              {remove.isPending ? "Removing…" : "Remove host"}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
