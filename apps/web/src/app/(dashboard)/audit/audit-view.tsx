"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { DownloadIcon, ScrollTextIcon, SearchIcon, XIcon } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { PageHeader } from "~/components/page-header";
import { Spinner } from "~/components/spinner";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { useHydrated } from "~/components/use-hydrated";
import { formatExact, formatRelative } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { AUDIT_FILTER_KEYS, type AuditFilterParams, auditListInput, nextAuditCursor } from "./audit-query";

type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

const SOURCE_LABEL: Record<AuditEvent["source"], string> = { BROWSER: "Browser", API_TOKEN: "API token", BOT: "Bot", SYSTEM: "Wharf" };

function toQuery(filter: AuditFilterParams): string {
  const params = new URLSearchParams(AUDIT_FILTER_KEYS.flatMap((key) => (filter[key] ? [[key, filter[key]]] : [])));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** What a row is about, linked where it has a page: a job's output for deployments. */
function Target({ event }: { event: AuditEvent }) {
  if (!event.targetId) return <span className="text-muted-foreground">{event.targetType}</span>;
  const label = `${event.targetType} ${event.targetId.slice(0, 12)}`;
  if (event.targetType === "deployment") {
    return (
      <Link href={`/jobs/${encodeURIComponent(event.targetId)}`} className="font-mono text-xs underline underline-offset-4">
        job {event.targetId.slice(0, 12)}
      </Link>
    );
  }
  return (
    <span className="font-mono text-xs" title={`${event.targetType} ${event.targetId}`}>
      {label}
    </span>
  );
}

function Changes({ changes }: { changes: AuditEvent["changes"] }) {
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) return null;
  const entries = Object.entries(changes as Record<string, { from?: unknown; to?: unknown }>);
  const show = (value: unknown) => (value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value));
  return (
    <ul className="mt-1 grid gap-0.5 font-mono text-xs text-muted-foreground">
      {entries.map(([field, change]) => (
        <li key={field} className="[overflow-wrap:anywhere]">
          {field}: {show(change.from)} → <span className="text-foreground">{show(change.to)}</span>
        </li>
      ))}
    </ul>
  );
}

function Filters({ filter, actions }: { filter: AuditFilterParams; actions: string[] }) {
  const router = useRouter();
  const [draft, setDraft] = useState<AuditFilterParams>(filter);
  const set = (key: keyof AuditFilterParams) => (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [key]: event.target.value }));
  const apply = (next: AuditFilterParams) => router.push(`/audit${toQuery(next)}`);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const active = AUDIT_FILTER_KEYS.some((key) => filter[key]);

  return (
    <form role="search" aria-label="Filter the audit log" onSubmit={submit} className="grid gap-3 rounded-lg border bg-card p-4 md:grid-cols-[2fr_1fr_1fr_1fr_1fr]">
      <Field label="Search">
        {(control) => <Input {...control} type="search" placeholder="Words in the summary, actor, address…" value={draft.search ?? ""} onChange={set("search")} />}
      </Field>
      <Field label="Actor">
        {(control) => <Input {...control} placeholder="Email or name" value={draft.actor ?? ""} onChange={set("actor")} />}
      </Field>
      <Field label="Action">
        {(control) => (
          <NativeSelect {...control} value={draft.action ?? ""} onChange={set("action")}>
            <option value="">Any action</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
      <Field label="From">{(control) => <Input {...control} type="date" value={draft.from ?? ""} onChange={set("from")} />}</Field>
      <Field label="To">{(control) => <Input {...control} type="date" value={draft.to ?? ""} onChange={set("to")} />}</Field>
      <div className="flex flex-wrap items-center gap-2 md:col-span-5">
        {filter.targetType || filter.targetId ? (
          <Badge variant="info" className="gap-1">
            Target: {filter.targetType} {filter.targetId?.slice(0, 12)}
          </Badge>
        ) : null}
        <div className="ml-auto flex gap-2">
          {active ? (
            <Button type="button" variant="ghost" onClick={() => apply({})}>
              <XIcon aria-hidden />
              Clear
            </Button>
          ) : null}
          <Button type="submit">
            <SearchIcon aria-hidden />
            Apply filters
          </Button>
        </div>
      </div>
    </form>
  );
}

export function AuditView({ filter }: { filter: AuditFilterParams }) {
  const trpc = useTRPC();
  const input = auditListInput(filter);
  const audit = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: nextAuditCursor }));
  const actions = useQuery(trpc.audit.actions.queryOptions());
  const hydrated = useHydrated();
  const events = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = AUDIT_FILTER_KEYS.some((key) => filter[key]);

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Audit log"
        description="Every change in this team, refused actions and failed sign-ins: who, from where, and when. Newest first. Entries cannot be edited or deleted."
        actions={
          <Button asChild variant="outline">
            {/* A plain link: the route answers with a file download, checked like the page itself. */}
            <a href={`/api/audit/export${toQuery(filter)}`} download>
              <DownloadIcon aria-hidden />
              Export CSV
            </a>
          </Button>
        }
      />
      <Filters key={toQuery(filter)} filter={filter} actions={actions.data ?? []} />
      <ErrorAlert error={audit.error} title="The audit log could not be loaded" />
      {audit.isSuccess && events.length === 0 ? (
        filtered ? (
          <EmptyState icon={SearchIcon} title="No matching events" description="Nothing recorded matches these filters: widen the time range or clear them." />
        ) : (
          <EmptyState icon={ScrollTextIcon} title="Nothing recorded yet" description="Adding hosts and keys, and every other change, is listed here." />
        )
      ) : (
        <div className="min-w-0 rounded-lg border bg-card">
          <Table aria-label="Audit events" aria-busy={audit.isPending || undefined}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="w-52">Time</TableHead>
                <TableHead>Actor</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Target</TableHead>
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
                  <TableCell className="align-top [overflow-wrap:anywhere]">
                    <div className="grid gap-0.5">
                      <span>{event.actorName ?? event.actorLabel}</span>
                      <span className="text-xs text-muted-foreground">
                        {event.actorName ? `${event.actorLabel} · ` : ""}
                        {SOURCE_LABEL[event.source]}
                        {event.address ? ` · ${event.address}` : ""}
                      </span>
                    </div>
                  </TableCell>
                  <TableCell className="align-top">
                    <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">{event.action}</code>
                  </TableCell>
                  <TableCell className="align-top">
                    <Target event={event} />
                  </TableCell>
                  <TableCell className="min-w-64 align-top [overflow-wrap:anywhere]">
                    {event.summary}
                    <Changes changes={event.changes} />
                  </TableCell>
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
