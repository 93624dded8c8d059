"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog, ConfirmOption } from "~/components/confirm-dialog";
import { StackStateBadge } from "~/components/stack-state-badge";
import { Button } from "~/components/ui/button";
import { RadioCard, RadioGroup } from "~/components/ui/radio-group";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

type Containers = "keep" | "down";

/** Mounted only while the dialog is open: the stacks targeting the host, and what happens to their containers there. */
function RemovalStacks({ hostId, hostName, containers, onContainersChange }: { hostId: string; hostName: string; containers: Containers; onContainersChange: (value: Containers) => void }) {
  const trpc = useTRPC();
  const plan = useQuery(trpc.host.removalPlan.queryOptions({ hostId }));
  if (plan.error) return <p className="text-sm text-destructive">{errorMessage(plan.error)}</p>;
  if (!plan.data) return <p className="text-sm text-muted-foreground">Looking up the stacks that target {hostName}…</p>;
  const stacks = plan.data.stacks;
  const deployed = stacks.filter((stack) => stack.deployed);
  if (stacks.length === 0) return <p className="text-sm text-muted-foreground">No stack targets {hostName}.</p>;
  return (
    <div className="grid gap-3 text-sm">
      <div className="grid gap-1.5">
        <p>
          {stacks.length === 1 ? "1 stack targets" : `${stacks.length} stacks target`} {hostName}; {stacks.length === 1 ? "it loses" : "they lose"} this target:
        </p>
        <ul className="flex flex-wrap gap-1.5" aria-label={`Stacks targeting ${hostName}`}>
          {stacks.map((stack) => (
            <li key={stack.id}>
              <StackStateBadge stack={stack} stale={false} />
            </li>
          ))}
        </ul>
      </div>
      {deployed.length > 0 ? (
        <fieldset className="grid gap-2">
          <legend className="mb-1.5 font-medium">
            Containers of {deployed.map((stack) => stack.name).join(", ")} on {hostName}
          </legend>
          <RadioGroup value={containers} onValueChange={(value) => onContainersChange(value === "down" ? "down" : "keep")} aria-label="Containers on the host">
            <RadioCard
              id="remove-keep"
              value="keep"
              title="Keep them running"
              description="Wharf stops managing them; they run on until someone stops them on the host."
            />
            <RadioCard
              id="remove-down"
              value="down"
              title="Take them down first"
              description="Runs a down of each stack on this host (volumes are kept), removes their files there, then removes the host."
            />
          </RadioGroup>
        </fieldset>
      ) : (
        <p className="text-muted-foreground">None of them is deployed there: no containers are affected.</p>
      )}
    </div>
  );
}

export function RemoveHostDialog({ host }: { host: { id: string; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [stopAgent, setStopAgent] = useState(true);
  const [containers, setContainers] = useState<Containers>("keep");
  const remove = useMutation(trpc.host.remove.mutationOptions());

  const onRemove = async (): Promise<void> => {
    const { agentStopped, tookDown } = await remove.mutateAsync({ hostId: host.id, stopAgent, containers });
    // The page is about to disappear: stop polling it before navigating away.
    queryClient.removeQueries(trpc.host.byId.queryFilter({ hostId: host.id }));
    await queryClient.invalidateQueries(trpc.host.list.queryFilter());
    await queryClient.invalidateQueries(trpc.stack.pathFilter());
    const downs = tookDown.length > 0 ? ` after taking ${tookDown.join(", ")} down there` : "";
    toast.success(stopAgent && !agentStopped ? `Removed ${host.name}${downs}; its agent could not be stopped (the host did not answer).` : `Removed ${host.name}${downs}`);
    router.push("/hosts");
  };

  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <Trash2Icon aria-hidden />
          Remove host
        </Button>
      }
      title={`Remove ${host.name}?`}
      description="Wharf forgets this host, its pinned key, its status and its jobs. The SSH key stays saved."
      confirmName={host.name}
      confirmLabel={remove.isPending ? (containers === "down" ? "Taking stacks down…" : "Removing…") : "Remove host"}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={onRemove}
      onClosed={() => {
        setStopAgent(true);
        setContainers("keep");
        remove.reset();
      }}
    >
      <RemovalStacks hostId={host.id} hostName={host.name} containers={containers} onContainersChange={setContainers} />
      <ConfirmOption
        label="Also stop the agent on the host"
        hint="Best effort: skipped if the host does not answer."
        checked={stopAgent}
        onCheckedChange={setStopAgent}
      />
    </ConfirmDialog>
  );
}
