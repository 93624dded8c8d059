"use client";

import { AlertCircleIcon } from "lucide-react";
import { type ReactNode, useId, useState } from "react";

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
import { errorMessage, errorProblems } from "~/lib/errors";
import { cn } from "~/lib/utils";

/**
 * The confirmation before an action that is hard to undo: a title saying what
 * happens to what, optional fields (`children`), and, with `confirmName`, a
 * "Type <name> to confirm" input that keeps the confirm button disabled until
 * it matches. While `pending` the dialog stays open and cannot be dismissed;
 * `error` (the action's failure) shows above the fields, each problem the
 * API located as its own item.
 */
export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmName,
  confirmLabel,
  confirmVariant = "destructive",
  canConfirm = true,
  pending,
  error,
  onConfirm,
  onClosed,
  children,
}: {
  /** The button opening the dialog. */
  trigger: ReactNode;
  title: ReactNode;
  description: ReactNode;
  confirmName?: string;
  confirmLabel: ReactNode;
  confirmVariant?: "destructive" | "default";
  /** Besides the typed name, e.g. at least one host chosen. */
  canConfirm?: boolean;
  pending: boolean;
  error?: unknown;
  /** Gets the typed name (trimmed); the dialog closes when it resolves to anything but false, and stays open when it throws. */
  onConfirm: (typedName: string) => Promise<boolean | void>;
  /** Resets the caller's own state (its fields, its mutation) once the dialog closes. */
  onClosed?: () => void;
  children?: ReactNode;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const confirmed = canConfirm && (confirmName === undefined || typed.trim() === confirmName);
  const problems = errorProblems(error);

  const close = (): void => {
    setOpen(false);
    setTyped("");
    onClosed?.();
  };

  const changeOpen = (next: boolean): void => {
    if (pending) return;
    if (next) setOpen(true);
    else close();
  };

  const confirm = async (): Promise<void> => {
    try {
      if ((await onConfirm(typed.trim())) !== false) close();
    } catch {
      // Shown through `error`.
    }
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed && !pending) void confirm();
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle>{title}</AlertDialogTitle>
            <AlertDialogDescription>{description}</AlertDialogDescription>
          </AlertDialogHeader>
          {error ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertDescription>
                {problems.length > 0 ? (
                  <ul className="list-disc pl-4">
                    {problems.map((problem, index) => (
                      <li key={index}>{problem.message}</li>
                    ))}
                  </ul>
                ) : (
                  errorMessage(error)
                )}
              </AlertDescription>
            </Alert>
          ) : null}
          {confirmName !== undefined ? (
            <div className="grid gap-2">
              <Label htmlFor={`${id}-name`}>
                Type <span className="font-mono font-semibold">{confirmName}</span> to confirm
              </Label>
              <Input id={`${id}-name`} value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" spellCheck={false} autoFocus />
            </div>
          ) : null}
          {children}
          <AlertDialogFooter>
            <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
            <Button type="submit" variant={confirmVariant} disabled={!confirmed || pending}>
              {pending ? <Spinner /> : null}
              {confirmLabel}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/** A checkbox option of a confirmation, e.g. "Also remove volumes", with a line saying what it does. */
export function ConfirmOption({
  label,
  hint,
  checked,
  onCheckedChange,
  destructive = false,
}: {
  label: string;
  hint: ReactNode;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  destructive?: boolean;
}) {
  const id = useId();
  return (
    <label htmlFor={id} className="flex items-start gap-3 text-sm">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onCheckedChange(event.target.checked)}
        className={cn("mt-0.5 size-4", destructive ? "accent-destructive" : "accent-primary")}
      />
      <span className="grid gap-0.5">
        <span className="font-medium">{label}</span>
        <span className="text-muted-foreground">{hint}</span>
      </span>
    </label>
  );
}
