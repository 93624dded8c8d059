"use client";

import { Trash2Icon } from "lucide-react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useToastMutation } from "~/components/use-toast-mutation";
import { useTRPC } from "~/trpc/react";

import type { KeyRow } from "./keys-view";

export function RemoveKeyDialog({ credential }: { credential: KeyRow }) {
  const trpc = useTRPC();
  const remove = useToastMutation(trpc.credential.remove.mutationOptions(), { invalidate: [trpc.credential.list.queryFilter()], success: `Removed ${credential.name}` });
  const inUse = credential._count.hosts;

  const onRemove = async (): Promise<void> => {
    await remove.mutateAsync({ credentialId: credential.id });
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
