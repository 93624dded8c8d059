"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";

import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription } from "~/components/ui/alert";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "~/components/ui/alert-dialog";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { errorMessage, errorReason } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

export function RemoveStackDialog({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [keepContainers, setKeepContainers] = useState(false);
  const remove = useMutation(trpc.stack.remove.mutationOptions());
  const confirmed = typed.trim() === stack.name;
  const deployed = stack.targets.filter((target) => target.deployed).map((target) => target.host.name);

  const changeOpen = (next: boolean): void => {
    if (remove.isPending) return;
    setOpen(next);
    if (!next) {
      setTyped("");
      setKeepContainers(false);
      remove.reset();
    }
  };

  const onRemove = async (): Promise<void> => {
    await remove.mutateAsync({ stackId: stack.id, confirmName: typed.trim(), keepContainers });
    // The page is about to disappear: stop polling it before navigating away.
    queryClient.removeQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
    await queryClient.invalidateQueries(trpc.stack.list.queryFilter());
    toast.success(`Removed ${stack.name}`);
    router.push("/stacks");
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>
        <Button variant="outline" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <Trash2Icon aria-hidden />
          Remove stack
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed) onRemove().catch(() => undefined);
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle>Remove {stack.name}?</AlertDialogTitle>
            <AlertDialogDescription>
              Wharf forgets the stack, all its revisions and its deployment history. Run down on its hosts first to stop its containers.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {remove.error ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertDescription>{errorMessage(remove.error)}</AlertDescription>
            </Alert>
          ) : null}
          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>
              Type <span className="font-mono font-semibold">{stack.name}</span> to confirm
            </Label>
            <Input id={`${id}-name`} value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" spellCheck={false} autoFocus />
          </div>
          {deployed.length > 0 || errorReason(remove.error) === "STACK_DEPLOYED" ? (
            <label htmlFor={`${id}-keep`} className="flex items-start gap-3 text-sm">
              <input
                id={`${id}-keep`}
                type="checkbox"
                checked={keepContainers}
                onChange={(event) => setKeepContainers(event.target.checked)}
                className="mt-0.5 size-4 accent-primary"
              />
              <span className="grid gap-0.5">
                <span className="font-medium">Remove it even though it is deployed</span>
                <span className="text-muted-foreground">
                  Its containers keep running on {deployed.join(", ") || "its hosts"}, no longer managed by Wharf.
                </span>
              </span>
            </label>
          ) : null}
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={!confirmed || remove.isPending}>
              {remove.isPending ? <Spinner /> : null}
              {remove.isPending ? "Removing…" : "Remove stack"}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
