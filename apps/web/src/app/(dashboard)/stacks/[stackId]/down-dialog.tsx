"use client";

import { ArrowDownToLineIcon } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog, ConfirmOption } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";

/** `compose down` on one host, after typing the stack's name; optionally with its volumes (their data is lost). */
export function DownDialog({
  stackName,
  hostName,
  disabled,
  pending,
  onConfirm,
}: {
  stackName: string;
  hostName: string;
  disabled: boolean;
  pending: boolean;
  onConfirm: (options: { volumes: boolean }) => Promise<boolean>;
}) {
  const [volumes, setVolumes] = useState(false);
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" size="sm" disabled={disabled} className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <ArrowDownToLineIcon aria-hidden />
          Down
        </Button>
      }
      title={`Take ${stackName} down on ${hostName}?`}
      description="Stops and removes the stack's containers and networks there. The stack, its revisions and its other hosts stay as they are."
      confirmName={stackName}
      confirmLabel={volumes ? "Down and remove volumes" : "Take it down"}
      pending={pending}
      // The deploy tab reports a refused or failed start itself; the dialog stays open then.
      onConfirm={() => onConfirm({ volumes })}
      onClosed={() => setVolumes(false)}
    >
      <ConfirmOption
        label="Also remove volumes"
        hint="Deletes the stack's named volumes and all the data in them. This cannot be undone."
        checked={volumes}
        onCheckedChange={setVolumes}
        destructive
      />
    </ConfirmDialog>
  );
}
