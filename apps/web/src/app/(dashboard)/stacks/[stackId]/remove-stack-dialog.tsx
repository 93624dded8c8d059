"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog, ConfirmOption } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { errorReason } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

export function RemoveStackDialog({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [keepContainers, setKeepContainers] = useState(false);
  const remove = useMutation(trpc.stack.remove.mutationOptions());
  const deployed = stack.targets.filter((target) => target.deployed).map((target) => target.host.name);

  const onRemove = async (confirmName: string): Promise<void> => {
    const { cleanup } = await remove.mutateAsync({ stackId: stack.id, confirmName, keepContainers });
    // The page is about to disappear: stop polling it before navigating away.
    queryClient.removeQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
    await queryClient.invalidateQueries(trpc.stack.list.queryFilter());
    toast.success(`Removed ${stack.name}`);
    for (const { host, error } of cleanup) if (error !== null) toast.warning(`${host}: ${error}`);
    router.push("/stacks");
  };

  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <Trash2Icon aria-hidden />
          Remove stack
        </Button>
      }
      title={`Remove ${stack.name}?`}
      description="Wharf forgets the stack, all its revisions and its deployment history, and removes its files from its hosts. Run down on its hosts first to stop its containers."
      confirmName={stack.name}
      confirmLabel={remove.isPending ? "Removing…" : "Remove stack"}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={onRemove}
      onClosed={() => {
        setKeepContainers(false);
        remove.reset();
      }}
    >
      {deployed.length > 0 || errorReason(remove.error) === "STACK_DEPLOYED" ? (
        <ConfirmOption
          label="Remove it even though it is deployed"
          hint={`Its containers keep running on ${deployed.join(", ") || "its hosts"}, no longer managed by Wharf.`}
          checked={keepContainers}
          onCheckedChange={setKeepContainers}
        />
      ) : null}
    </ConfirmDialog>
  );
}
