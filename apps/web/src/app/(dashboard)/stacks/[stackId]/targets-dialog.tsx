"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, ServerCogIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { ErrorAlert } from "~/components/error-alert";
import { HostPicker } from "~/components/host-picker";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

/** Which hosts the stack targets; their overlays are kept (edited in Files → Host overlays). */
export function TargetsDialog({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = stack.targets.map((target) => target.host.id);
  const [open, setOpen] = useState(false);
  const [hostIds, setHostIds] = useState<string[]>(current);
  const update = useMutation(trpc.stack.update.mutationOptions());

  const changeOpen = (next: boolean): void => {
    if (update.isPending) return;
    setOpen(next);
    setHostIds(current);
    update.reset();
  };

  const save = async (): Promise<void> => {
    try {
      const result = await update.mutateAsync({
        stackId: stack.id,
        targets: hostIds.map((hostId) => ({ hostId, overlay: stack.targets.find((target) => target.host.id === hostId)?.overlay ?? null })),
      });
      await queryClient.invalidateQueries(trpc.stack.pathFilter());
      toast.success(result.changes.length > 0 ? `Updated ${stack.name}: ${result.changes.join(", ")}` : "Nothing changed");
      setOpen(false);
    } catch {
      // Shown in the dialog.
    }
  };

  const removed = stack.targets.filter((target) => !hostIds.includes(target.host.id) && target.deployed);

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          <ServerCogIcon aria-hidden />
          Edit hosts
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Hosts of {stack.name}</DialogTitle>
          <DialogDescription>Where the stack is deployed. Adding a host deploys nothing until you do.</DialogDescription>
        </DialogHeader>
        <ErrorAlert error={update.error} />
        <HostPicker value={hostIds} onChange={setHostIds} />
        {removed.length > 0 ? (
          <Alert variant="warning">
            <AlertCircleIcon aria-hidden />
            <AlertDescription className="text-foreground/80">
              {removed.map((target) => target.host.name).join(", ")} still run{removed.length === 1 ? "s" : ""} the stack: its containers keep running
              there. Run down there first to stop them.
            </AlertDescription>
          </Alert>
        ) : null}
        <DialogFooter>
          <Button variant="outline" onClick={() => changeOpen(false)} disabled={update.isPending}>
            Cancel
          </Button>
          <Button onClick={() => void save()} disabled={update.isPending}>
            {update.isPending ? <Spinner /> : null}
            Save hosts
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
