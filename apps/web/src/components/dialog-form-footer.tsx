import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { DialogClose, DialogFooter } from "~/components/ui/dialog";

/** Cancel and the submit button of a dialog's form, with a spinner while it submits. */
export function DialogFormFooter({ submitting, label, disabled = false }: { submitting: boolean; label: string; disabled?: boolean }) {
  return (
    <DialogFooter>
      <DialogClose asChild>
        <Button type="button" variant="outline">
          Cancel
        </Button>
      </DialogClose>
      <Button type="submit" disabled={submitting || disabled}>
        {submitting ? <Spinner /> : null}
        {label}
      </Button>
    </DialogFooter>
  );
}
