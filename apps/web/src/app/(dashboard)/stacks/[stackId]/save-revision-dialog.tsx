"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";

import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { errorMessage, errorProblems, errorReason } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { RevisionInput, StackDetail } from "./stack-draft";
import type { StackDraftState } from "./use-stack-draft";

/** Names the change and saves the draft as the next immutable revision. */
export function SaveRevisionDialog({
  stack,
  draft,
  input,
  open,
  onOpenChange,
}: {
  stack: StackDetail;
  draft: StackDraftState;
  input: RevisionInput;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [message, setMessage] = useState("");
  const save = useMutation(trpc.stack.saveRevision.mutationOptions());

  const changeOpen = (next: boolean): void => {
    if (save.isPending) return;
    onOpenChange(next);
    if (!next) save.reset();
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    try {
      const revision = await save.mutateAsync({ stackId: stack.id, baseRevision: draft.base, message, ...input });
      draft.markSaved(revision.number);
      await Promise.all([
        queryClient.invalidateQueries(trpc.stack.byId.queryFilter({ stackId: stack.id })),
        queryClient.invalidateQueries(trpc.stack.list.queryFilter()),
        queryClient.invalidateQueries(trpc.stack.revisions.pathFilter()),
      ]);
      toast.success(`Saved revision ${revision.number} of ${stack.name}`);
      setMessage("");
      onOpenChange(false);
    } catch (error) {
      // Located problems (file and line) go next to the code as well.
      draft.setServerProblems(errorProblems(error));
    }
  };

  const stale = errorReason(save.error) === "STALE_REVISION";

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent>
        <form onSubmit={(event) => void submit(event)} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Save revision {draft.base + 1}</DialogTitle>
            <DialogDescription>
              Revisions are immutable: deploys, diffs and rollbacks refer to them. Saving does not deploy anything.
            </DialogDescription>
          </DialogHeader>
          {save.error ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertTitle>{stale ? "Someone saved a newer revision" : "The revision was not saved"}</AlertTitle>
              <AlertDescription>
                <p>{errorMessage(save.error)}</p>
                {errorProblems(save.error).length > 1 ? (
                  <ul className="list-disc pl-4">
                    {errorProblems(save.error).map((problem, index) => (
                      <li key={index}>{problem.message}</li>
                    ))}
                  </ul>
                ) : null}
              </AlertDescription>
            </Alert>
          ) : null}
          <div className="grid gap-2">
            <Label htmlFor={`${id}-message`}>What changed?</Label>
            <Input
              id={`${id}-message`}
              value={message}
              onChange={(event) => setMessage(event.target.value)}
              maxLength={500}
              placeholder="e.g. Add the worker service"
              autoComplete="off"
              autoFocus
            />
          </div>
          <DialogFooter>
            <Button variant="outline" onClick={() => changeOpen(false)} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? <Spinner /> : null}
              {save.isPending ? "Saving…" : "Save revision"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
