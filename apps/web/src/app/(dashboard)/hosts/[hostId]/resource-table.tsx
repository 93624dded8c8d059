"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import { AlertCircleIcon } from "lucide-react";

import { DataTable, type DataTableProps } from "~/components/data-table";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { errorMessage } from "~/lib/errors";

// Lists come from the host through the agent (an SSH round trip): poll gently, only for the open tab.
export const LIST_REFRESH_MS = 15_000;

export const dash = <span className="text-muted-foreground">—</span>;

/** One Docker list of the host: the table, its loading skeleton, and the reason it failed, inline. */
export function ResourceTable<T>({
  label,
  query,
  ...props
}: { label: string; query: UseQueryResult<T[], unknown> } & Pick<DataTableProps<T>, "columns" | "getRowId" | "initialSorting" | "empty" | "toolbar">) {
  return (
    <DataTable
      label={label}
      data={query.data}
      isLoading={query.isPending}
      error={
        query.error ? (
          <Alert variant="destructive">
            <AlertCircleIcon aria-hidden />
            <AlertTitle>The {label.toLowerCase()} could not be listed</AlertTitle>
            <AlertDescription>{errorMessage(query.error)}</AlertDescription>
          </Alert>
        ) : null
      }
      {...props}
    />
  );
}

export const listOptions = { refetchInterval: LIST_REFRESH_MS };
