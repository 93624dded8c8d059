"use client";

import { useQueryClient } from "@tanstack/react-query";
import { UndoDotIcon } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";
import { useStartDeployment } from "./use-start-deployment";

/** Redeploys an older revision (with the overlay it last ran with) on the hosts chosen. */
export function RollbackDialog({ stack, revisionNumber }: { stack: StackDetail; revisionNumber: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const deployedHosts = stack.targets.filter((target) => target.deployed).map((target) => target.host.id);
  const [hostIds, setHostIds] = useState<string[]>(deployedHosts.length > 0 ? deployedHosts : stack.targets.map((target) => target.host.id));
  const start = useStartDeployment();

  const confirm = async (): Promise<void> => {
    // A failure (preflight messages included) is shown in the dialog.
    const { jobs, request } = await start.mutateAsync({ stackId: stack.id, action: "ROLLBACK", revisionNumber, hostIds });
    await queryClient.invalidateQueries(trpc.stack.pathFilter());
    await queryClient.invalidateQueries(trpc.deployment.pathFilter());
    if (!request) toast.success(`Rolling back to revision #${revisionNumber} on ${jobs.length} host${jobs.length === 1 ? "" : "s"}: follow it in the Deploy tab.`);
  };

  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="ghost">
          <UndoDotIcon aria-hidden />
          Roll back to this revision
        </Button>
      }
      title={`Roll back ${stack.name} to revision #${revisionNumber}?`}
      description={`Runs preflight, then recreates the containers from revision #${revisionNumber} on each host chosen, one after another. The latest revision stays as it is.`}
      confirmLabel="Roll back"
      confirmVariant="default"
      canConfirm={hostIds.length > 0}
      pending={start.isPending}
      error={start.error}
      onConfirm={confirm}
      onClosed={() => start.reset()}
    >
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">Hosts</legend>
        {stack.targets.map((target) => (
          <label key={target.host.id} htmlFor={`${id}-${target.host.id}`} className="flex items-center gap-3 text-sm">
            <input
              id={`${id}-${target.host.id}`}
              type="checkbox"
              checked={hostIds.includes(target.host.id)}
              onChange={(event) => setHostIds(event.target.checked ? [...hostIds, target.host.id] : hostIds.filter((hostId) => hostId !== target.host.id))}
              className="size-4 accent-primary"
            />
            <span className="font-medium">{target.host.name}</span>
            <span className="text-muted-foreground">{target.deployed ? `runs #${target.deployed.revisionNumber}` : "not deployed"}</span>
          </label>
        ))}
      </fieldset>
    </ConfirmDialog>
  );
}
