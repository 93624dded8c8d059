"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { AlertCircleIcon, ScrollTextIcon } from "lucide-react";

import { EmptyState } from "~/components/empty-state";
import { PageHeader } from "~/components/page-header";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { useHydrated } from "~/components/use-hydrated";
import { errorMessage } from "~/lib/errors";
import { formatExact, formatRelative } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

import { AUDIT_PAGE_SIZE, nextAuditCursor } from "./audit-query";

export function AuditView() {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions({ limit: AUDIT_PAGE_SIZE }, { getNextPageParam: nextAuditCursor }));
  const hydrated = useHydrated();
  const events = audit.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="grid gap-6">
      <PageHeader title="Audit log" description="Every change in this team: who made it, and when. Newest first." />
      {audit.error ? (
        <Alert variant="destructive">
          <AlertCircleIcon aria-hidden />
          <AlertTitle>The audit log could not be loaded</AlertTitle>
          <AlertDescription>{errorMessage(audit.error)}</AlertDescription>
        </Alert>
      ) : null}
      {audit.isSuccess && events.length === 0 ? (
        <EmptyState icon={ScrollTextIcon} title="Nothing recorded yet" description="Adding hosts and keys, and every other change, is listed here." />
      ) : (
        <div className="min-w-0 rounded-lg border bg-card">
          <Table aria-label="Audit events" aria-busy={audit.isPending || undefined}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="w-52">Time</TableHead>
                <TableHead>Actor</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Summary</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {events.map((event) => (
                <TableRow key={event.id}>
                  <TableCell className="align-top whitespace-nowrap">
                    {/* The browser's time zone and clock are unknown to the server: they show once hydrated (React error #418 otherwise). */}
                    <time dateTime={event.createdAt.toISOString()} className="grid">
                      <span className="font-mono text-xs tabular-nums">{hydrated ? formatExact(event.createdAt) : `${event.createdAt.toISOString().slice(0, 19).replace("T", " ")} UTC`}</span>
                      <span className="text-xs text-muted-foreground">{hydrated ? formatRelative(event.createdAt) : "\u00a0"}</span>
                    </time>
                  </TableCell>
                  <TableCell className="align-top">{event.actorLabel}</TableCell>
                  <TableCell className="align-top">
                    <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">{event.action}</code>
                  </TableCell>
                  <TableCell className="align-top">{event.summary}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {audit.hasNextPage ? (
        <div className="flex justify-center">
          <Button variant="outline" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
            {audit.isFetchingNextPage ? <Spinner /> : null}
            {audit.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      ) : events.length > 0 ? (
        <p className="text-center text-xs text-muted-foreground">Showing all {events.length} events.</p>
      ) : null}
    </div>
  );
}
