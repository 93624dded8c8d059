"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import { ShieldAlertIcon } from "lucide-react";

import { DataTable, type DataTableProps } from "~/components/data-table";
import { ErrorAlert } from "~/components/error-alert";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { errorReason } from "~/lib/errors";

// Lists come from the host through the agent (an SSH round trip): poll gently, only for the open tab.
export const LIST_REFRESH_MS = 15_000;

export const dash = <span className="text-muted-foreground">—</span>;

function ListError({ label, error }: { label: string; error: unknown }) {
  if (errorReason(error) === "HOST_KEY_MISMATCH") {
    return (
      <Alert variant="destructive">
        <ShieldAlertIcon aria-hidden />
        <AlertTitle>The {label.toLowerCase()} cannot be listed: the host key changed</AlertTitle>
        <AlertDescription>
          <p>
            Wharf refuses to talk to the host until its new key is trusted. Compare both keys in the panel at the top of this page, then use{" "}
            <a href="#host-key-mismatch-title" className="font-medium underline underline-offset-2">
              Accept the new key
            </a>{" "}
            there.
          </p>
        </AlertDescription>
      </Alert>
    );
  }
  return <ErrorAlert error={error} title={`The ${label.toLowerCase()} could not be listed`} />;
}

/**
 * One Docker list of the host: the table, its loading skeleton, and the reason
 * it failed, inline. A failed refresh hides the rows it had: they no longer
 * say what the host runs.
 */
export function ResourceTable<T>({
  label,
  query,
  ...props
}: { label: string; query: UseQueryResult<T[], unknown> } & Pick<DataTableProps<T>, "columns" | "getRowId" | "initialSorting" | "empty" | "toolbar">) {
  return (
    <DataTable
      label={label}
      data={query.error ? undefined : query.data}
      isLoading={query.isPending}
      error={query.error ? <ListError label={label} error={query.error} /> : null}
      {...props}
    />
  );
}

export const listOptions = { refetchInterval: LIST_REFRESH_MS };
