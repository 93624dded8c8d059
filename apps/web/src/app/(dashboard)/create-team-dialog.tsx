"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { useTRPC } from "~/trpc/react";

/** A new team owned by the user; on success it becomes the active team. */
export function CreateTeamDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (teamId: string) => void;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.team.create.mutationOptions());
  const [name, setName] = useState("");
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) {
          setName("");
          create.reset();
        }
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create a team</DialogTitle>
          <DialogDescription>
            You become its owner. It starts empty, with one environment named
            default.
          </DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            void create
              .mutateAsync({ name })
              .then((team) => onCreated(team.id))
              .catch(() => undefined);
          }}
        >
          <ErrorAlert error={create.error} />
          <Field label="Team name">
            {(control) => (
              <Input
                {...control}
                value={name}
                maxLength={60}
                autoFocus
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </Field>
          <DialogFormFooter submitting={create.isPending} disabled={name.trim() === ""} label="Create team" />
        </form>
      </DialogContent>
    </Dialog>
  );
}
