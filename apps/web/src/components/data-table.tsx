"use client";

import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  type Row,
  type SortingState,
  useReactTable,
} from "@tanstack/react-table";
import { ArrowDownIcon, ArrowUpDownIcon, ArrowUpIcon, ChevronLeftIcon, ChevronRightIcon, SearchIcon } from "lucide-react";
import { type ReactNode, useState } from "react";

import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Skeleton } from "~/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { cn } from "~/lib/utils";

export type { ColumnDef };

export interface DataTableProps<TData> {
  /** Accessible name of the table, also used in the filter's label ("Filter containers"). */
  label: string;
  columns: ColumnDef<TData>[];
  data: TData[] | undefined;
  isLoading?: boolean;
  /** Shown instead of the table when there are no rows at all. */
  empty: ReactNode;
  /** Shown above the table, e.g. the reason a list could not be read. */
  error?: ReactNode;
  initialSorting?: SortingState;
  pageSize?: number;
  toolbar?: ReactNode;
  getRowId?: (row: TData) => string;
}

// Matches the text of every column value, case-insensitively (accessors return strings or numbers).
function matchesFilter<TData>(row: Row<TData>, columnId: string, filter: string): boolean {
  const value: unknown = row.getValue(columnId);
  if (typeof value !== "string" && typeof value !== "number") return false;
  return String(value).toLowerCase().includes(filter.trim().toLowerCase());
}

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

export function DataTable<TData>({
  label,
  columns,
  data,
  isLoading = false,
  empty,
  error,
  initialSorting = [],
  pageSize = 25,
  toolbar,
  getRowId,
}: DataTableProps<TData>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [globalFilter, setGlobalFilter] = useState("");
  const rows = data ?? [];
  // eslint-disable-next-line react-hooks/incompatible-library -- known: the compiler leaves this component unmemoized, which TanStack Table needs
  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, globalFilter },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    globalFilterFn: matchesFilter,
    getColumnCanGlobalFilter: (column) => column.columnDef.enableGlobalFilter !== false,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    autoResetPageIndex: false,
    initialState: { pagination: { pageSize } },
    ...(getRowId ? { getRowId } : {}),
  });

  const visibleRows = table.getRowModel().rows;
  const filteredCount = table.getFilteredRowModel().rows.length;
  const pageCount = table.getPageCount();
  const showEmpty = !isLoading && rows.length === 0;

  return (
    <div className="grid min-w-0 gap-3">
      {error}
      {/* One toolbar row in every state, so what it holds (New volume and its open dialog) is not remounted when the list loads or empties. */}
      {toolbar || !showEmpty ? (
        <div className="flex flex-wrap items-center gap-2">
          {showEmpty ? null : (
            <div className="relative w-full max-w-xs">
              <SearchIcon aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
              <Input
                type="search"
                aria-label={`Filter ${label.toLowerCase()}`}
                placeholder="Filter…"
                value={globalFilter}
                onChange={(event) => {
                  setGlobalFilter(event.target.value);
                  table.setPageIndex(0);
                }}
                className="h-8 pl-8"
                disabled={isLoading}
              />
            </div>
          )}
          {toolbar}
          {showEmpty ? null : (
            <p className="ml-auto text-xs text-muted-foreground" aria-live="polite">
              {isLoading ? "Loading…" : globalFilter ? `${filteredCount} of ${rows.length} shown` : `${rows.length} total`}
            </p>
          )}
        </div>
      ) : null}
      {showEmpty ? (
        error ? null : empty
      ) : (
        <>
          <div className="min-w-0 rounded-lg border bg-card">
            <Table aria-label={label} aria-busy={isLoading || undefined}>
              <TableHeader>
                {table.getHeaderGroups().map((group) => (
                  <TableRow key={group.id} className="hover:bg-transparent">
                    {group.headers.map((header) => {
                      const sorted = header.column.getIsSorted();
                      const canSort = header.column.getCanSort();
                      const content = header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext());
                      return (
                        <TableHead key={header.id} aria-sort={canSort ? (sorted ? ARIA_SORT[sorted] : "none") : undefined}>
                          {canSort ? (
                            <button
                              type="button"
                              onClick={header.column.getToggleSortingHandler()}
                              className="-mx-1.5 inline-flex items-center gap-1 rounded-sm px-1.5 py-1 outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
                            >
                              {content}
                              {sorted === "asc" ? (
                                <ArrowUpIcon aria-hidden className="size-3.5" />
                              ) : sorted === "desc" ? (
                                <ArrowDownIcon aria-hidden className="size-3.5" />
                              ) : (
                                <ArrowUpDownIcon aria-hidden className="size-3.5 opacity-40" />
                              )}
                            </button>
                          ) : (
                            content
                          )}
                        </TableHead>
                      );
                    })}
                  </TableRow>
                ))}
              </TableHeader>
              <TableBody>
                {isLoading ? (
                  Array.from({ length: 4 }, (_, index) => (
                    <TableRow key={index} className="hover:bg-transparent">
                      {columns.map((_, cell) => (
                        <TableCell key={cell}>
                          <Skeleton className={cn("h-4", cell === 0 ? "w-32" : "w-20")} />
                        </TableCell>
                      ))}
                    </TableRow>
                  ))
                ) : visibleRows.length === 0 ? (
                  <TableRow className="hover:bg-transparent">
                    <TableCell colSpan={columns.length} className="py-10 text-center text-muted-foreground">
                      Nothing matches “{globalFilter}”.
                    </TableCell>
                  </TableRow>
                ) : (
                  visibleRows.map((row) => (
                    <TableRow key={row.id}>
                      {row.getVisibleCells().map((cell) => (
                        <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
                      ))}
                    </TableRow>
                  ))
                )}
              </TableBody>
            </Table>
          </div>
          {pageCount > 1 ? (
            <nav aria-label={`${label} pages`} className="flex items-center justify-end gap-2">
              <p className="text-xs text-muted-foreground">
                Page {table.getState().pagination.pageIndex + 1} of {pageCount}
              </p>
              <Button variant="outline" size="sm" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
                <ChevronLeftIcon aria-hidden />
                Previous
              </Button>
              <Button variant="outline" size="sm" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
                Next
                <ChevronRightIcon aria-hidden />
              </Button>
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
