"use client";

import { Trash2Icon } from "lucide-react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";

/** The trash button of a volume or network row, and its confirmation; the mutation's state shows inside. */
export function RemoveObjectDialog({
  kind,
  name,
  description,
  mutation,
  onConfirm,
}: {
  kind: "volume" | "network";
  name: string;
  description: string;
  mutation: { isPending: boolean; error: unknown; reset: () => void };
  onConfirm: () => Promise<unknown>;
}) {
  return (
    <ConfirmDialog
      trigger={
        <Button size="icon-sm" variant="ghost" aria-label={`Remove ${kind} ${name}`}>
          <Trash2Icon aria-hidden />
        </Button>
      }
      title={`Remove ${kind} ${name}?`}
      description={description}
      confirmLabel="Remove"
      pending={mutation.isPending}
      error={mutation.error}
      onConfirm={async () => {
        await onConfirm();
      }}
      onClosed={() => mutation.reset()}
    />
  );
}
