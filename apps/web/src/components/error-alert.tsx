import { AlertCircleIcon } from "lucide-react";

import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { errorMessage } from "~/lib/errors";

/** A failed query or mutation, in words for people; nothing while there is no error. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert variant="destructive">
      <AlertCircleIcon aria-hidden />
      {title ? <AlertTitle>{title}</AlertTitle> : null}
      <AlertDescription>{errorMessage(error)}</AlertDescription>
    </Alert>
  );
}
