import type { ReactNode } from "react";

import { CopyButton } from "~/components/copy-button";
import { Button } from "~/components/ui/button";
import { DialogClose, DialogFooter } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { Textarea } from "~/components/ui/textarea";
import { cn } from "~/lib/utils";

/**
 * What a dialog shows once after creating something whose text Wharf will not
 * show again (a token, a generated public key): the value, selected on focus,
 * a copy button, how to use it, and Done when it ends a dialog.
 */
export function ShownOnceSecret({
  id,
  label,
  value,
  multiline = false,
  done = false,
  className,
  children,
}: {
  id: string;
  label: string;
  value: string;
  multiline?: boolean;
  done?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const selectAll = (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => event.currentTarget.select();
  return (
    <div className={cn("grid gap-2", className)}>
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={id}>{label}</Label>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`}>
          Copy
        </CopyButton>
      </div>
      {multiline ? (
        <Textarea id={id} readOnly rows={3} value={value} className="resize-none bg-background font-mono text-xs break-all" onFocus={selectAll} />
      ) : (
        <Input id={id} readOnly value={value} className="font-mono text-xs" onFocus={selectAll} />
      )}
      {children}
      {done ? (
        <DialogFooter className="mt-2">
          <DialogClose asChild>
            <Button>Done</Button>
          </DialogClose>
        </DialogFooter>
      ) : null}
    </div>
  );
}
