"use client";

import { ArrowDownToLineIcon } from "lucide-react";
import { useId, useState } from "react";

import { Spinner } from "~/components/spinner";
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
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [volumes, setVolumes] = useState(false);
  const confirmed = typed.trim() === stackName;

  const changeOpen = (next: boolean): void => {
    if (pending) return;
    setOpen(next);
    if (!next) {
      setTyped("");
      setVolumes(false);
    }
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>
        <Button variant="outline" size="sm" disabled={disabled} className="text-destructive hover:bg-destructive/10 hover:text-destructive">
          <ArrowDownToLineIcon aria-hidden />
          Down
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (!confirmed) return;
            void onConfirm({ volumes }).then((started) => started && changeOpen(false));
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle>
              Take {stackName} down on {hostName}?
            </AlertDialogTitle>
            <AlertDialogDescription>
              Stops and removes the stack&apos;s containers and networks there. The stack, its revisions and its other hosts stay as they are.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>
              Type <span className="font-mono font-semibold">{stackName}</span> to confirm
            </Label>
            <Input id={`${id}-name`} value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" spellCheck={false} autoFocus />
          </div>
          <label htmlFor={`${id}-volumes`} className="flex items-start gap-3 text-sm">
            <input
              id={`${id}-volumes`}
              type="checkbox"
              checked={volumes}
              onChange={(event) => setVolumes(event.target.checked)}
              className="mt-0.5 size-4 accent-destructive"
            />
            <span className="grid gap-0.5">
              <span className="font-medium">Also remove volumes</span>
              <span className="text-muted-foreground">Deletes the stack&apos;s named volumes and all the data in them. This cannot be undone.</span>
            </span>
          </label>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={!confirmed || pending}>
              {pending ? <Spinner /> : null}
              {volumes ? "Down and remove volumes" : "Take it down"}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
