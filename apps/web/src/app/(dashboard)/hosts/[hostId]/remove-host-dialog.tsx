"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog, ConfirmOption } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

import type { HostDetail } from "./host-view";

export function RemoveHostDialog({ host }: { host: HostDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [stopAgent, setStopAgent] = useState(true);
  const remove = useMutation(trpc.host.remove.mutationOptions());

  const onRemove = async (): Promise<void> => {
    const { agentStopped } = await remove.mutateAsync({ hostId: host.id, stopAgent });
    // The page is about to disappear: stop polling it before navigating away.
    queryClient.removeQueries(trpc.host.byId.queryFilter({ hostId: host.id }));
    await queryClient.invalidateQueries(trpc.host.list.queryFilter());
    toast.success(stopAgent && !agentStopped ? `Removed ${host.name}; its agent could not be stopped (the host did not answer).` : `Removed ${host.name}`);
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
      description="Wharf forgets this host, its pinned key and its status. Containers on the host keep running. The SSH key stays saved."
      confirmName={host.name}
      confirmLabel={remove.isPending ? "Removing…" : "Remove host"}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={onRemove}
      onClosed={() => {
        setStopAgent(true);
        remove.reset();
      }}
    >
      <ConfirmOption
        label="Also stop the agent on the host"
        hint="Best effort: skipped if the host does not answer."
        checked={stopAgent}
        onCheckedChange={setStopAgent}
      />
    </ConfirmDialog>
  );
}
