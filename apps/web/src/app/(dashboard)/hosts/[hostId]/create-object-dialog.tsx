"use client";

import { PlusIcon } from "lucide-react";
import type { ReactNode } from "react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";

/** The "New volume" or "New network" button and its form; the mutation's state shows inside, and closing resets both. */
export function CreateObjectDialog({
  kind,
  title,
  description,
  canConfirm,
  mutation,
  onConfirm,
  onClosed,
  children,
}: {
  kind: "volume" | "network";
  title: string;
  description: string;
  canConfirm: boolean;
  mutation: { isPending: boolean; error: unknown; reset: () => void };
  onConfirm: () => Promise<unknown>;
  /** Empties the form's fields. */
  onClosed: () => void;
  children: ReactNode;
}) {
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="outline">
          <PlusIcon aria-hidden />
          New {kind}
        </Button>
      }
      title={title}
      description={description}
      confirmLabel="Create"
      confirmVariant="default"
      canConfirm={canConfirm}
      pending={mutation.isPending}
      error={mutation.error}
      onConfirm={async () => {
        await onConfirm();
      }}
      onClosed={() => {
        mutation.reset();
        onClosed();
      }}
    >
      {children}
    </ConfirmDialog>
  );
}
