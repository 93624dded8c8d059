import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { DialogClose, DialogFooter } from "~/components/ui/dialog";

/** Cancel and the submit button of a key dialog's form, with a spinner while it submits. */
export function KeyFormFooter({ submitting, label }: { submitting: boolean; label: string }) {
  return (
    <DialogFooter>
      <DialogClose asChild>
        <Button variant="outline">Cancel</Button>
      </DialogClose>
      <Button type="submit" disabled={submitting}>
        {submitting ? <Spinner /> : null}
        {label}
      </Button>
    </DialogFooter>
  );
}
