"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { GitCompareIcon, HistoryIcon, RocketIcon, TerminalIcon } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { CodeDiff } from "~/components/code-diff";
import { DeploymentStatusBadge } from "~/components/deployment-status-badge";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Skeleton } from "~/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { jobDuration } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { BuildsTable } from "./builds-table";
import { JobOutputDialog } from "./job-output-dialog";
import { RollbackDialog } from "./rollback-dialog";
import type { StackDetail } from "./stack-draft";

type Diff = RouterOutputs["stack"]["diff"];
type Deployment = RouterOutputs["deployment"]["list"]["items"][number];

const CHANGE_VARIANT: Record<Diff["files"][number]["change"], BadgeVariant> = {
  added: "success",
  removed: "destructive",
  modified: "info",
  unchanged: "secondary",
};

/** A service's limits as "ulimits.rtprio.soft" → "99" pairs, so a change reads field by field. */
function flattenLimits(value: unknown, prefix = "", into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenLimits(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, Array.isArray(value) ? value.join(", ") : String(value));
  }
  return into;
}

function limitChanges(from: unknown, to: unknown): { field: string; from: string; to: string }[] {
  const a = flattenLimits(from);
  const b = flattenLimits(to);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((field) => a.get(field) !== b.get(field))
    .map((field) => ({ field, from: a.get(field) ?? "—", to: b.get(field) ?? "—" }));
}

function DiffView({ stackId, from, to }: { stackId: string; from: number; to: number }) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<"split" | "unified">("split");
  const [showUnchanged, setShowUnchanged] = useState(false);
  const query = useQuery(trpc.stack.diff.queryOptions({ stackId, from, to }));
  const diff = query.data;

  if (query.error) {
    return <ErrorAlert error={query.error} title="The diff could not be made" />;
  }
  if (!diff) return <Skeleton className="h-80" aria-label="Loading the diff" />;

  const files = diff.files.filter((file) => showUnchanged || file.change !== "unchanged");
  const content = (revision: Diff["from"], path: string) => revision.files.find((file) => file.path === path)?.content ?? "";
  const env = diff.env.filter((entry) => entry.change !== "unchanged");
  const secrets = diff.secrets.filter((entry) => entry.change !== "unchanged");
  const limits = diff.limits.filter((entry) => entry.change !== "unchanged");
  const nothing = files.length === 0 && env.length === 0 && secrets.length === 0 && limits.length === 0 && !diff.fileOrderChanged;

  return (
    <section aria-label={`Changes from revision ${from} to ${to}`} className="grid min-w-0 grid-cols-1 gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h3 className="font-semibold">
          Revision #{from} → #{to}
        </h3>
        <div role="group" aria-label="Diff layout" className="ml-auto flex gap-1">
          <Button size="sm" variant={mode === "split" ? "secondary" : "ghost"} aria-pressed={mode === "split"} onClick={() => setMode("split")}>
            Side by side
          </Button>
          <Button size="sm" variant={mode === "unified" ? "secondary" : "ghost"} aria-pressed={mode === "unified"} onClick={() => setMode("unified")}>
            Unified
          </Button>
        </div>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={showUnchanged} onChange={(event) => setShowUnchanged(event.target.checked)} className="size-4 accent-primary" />
          Unchanged files
        </label>
      </div>
      {nothing ? <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">These revisions have the same content.</p> : null}
      {diff.fileOrderChanged ? <p className="text-sm text-warning">The order of the files (-f) changed.</p> : null}
      {files.map((file) => (
        <div key={file.path} className="grid min-w-0 grid-cols-1 gap-2">
          <div className="flex items-center gap-2">
            <span className="font-mono text-sm font-medium">{file.path}</span>
            <Badge variant={CHANGE_VARIANT[file.change]}>{file.change}</Badge>
          </div>
          <CodeDiff
            original={content(diff.from, file.path)}
            modified={content(diff.to, file.path)}
            mode={mode}
            label={`${file.path}, revision ${from} to ${to}`}
            className="max-h-[28rem]"
          />
        </div>
      ))}
      {env.length + secrets.length + limits.length > 0 ? (
        <div className="grid gap-3 rounded-lg border p-4 text-sm">
          {env.length > 0 ? (
            <div className="grid gap-1">
              <h4 className="font-medium">Variables</h4>
              <ul className="grid gap-0.5 font-mono text-xs">
                {env.map((entry) => (
                  <li key={entry.key}>
                    <Badge variant={CHANGE_VARIANT[entry.change]} className="mr-2 font-sans">
                      {entry.change}
                    </Badge>
                    {entry.key}: {entry.from ?? "∅"} → {entry.to ?? "∅"}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {secrets.length > 0 ? (
            <div className="grid gap-1">
              <h4 className="font-medium">Secrets (values are never shown)</h4>
              <ul className="grid gap-0.5 font-mono text-xs">
                {secrets.map((entry) => (
                  <li key={entry.key}>
                    <Badge variant={CHANGE_VARIANT[entry.change]} className="mr-2 font-sans">
                      {entry.change}
                    </Badge>
                    {entry.key}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {limits.length > 0 ? (
            <div className="grid gap-1">
              <h4 className="font-medium">Runtime limits</h4>
              <ul className="grid gap-2">
                {limits.map((entry) => (
                  <li key={entry.service} className="grid gap-1">
                    <span className="flex items-center gap-2">
                      <Badge variant={CHANGE_VARIANT[entry.change]}>{entry.change}</Badge>
                      <span className="font-mono text-xs font-medium">{entry.service}</span>
                    </span>
                    <ul className="grid gap-0.5 pl-3 font-mono text-xs">
                      {limitChanges(entry.from, entry.to).map((field) => (
                        <li key={field.field} className="[overflow-wrap:anywhere]">
                          <span className="text-muted-foreground">{field.field}:</span> {field.from} → {field.to}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function Deployments({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  // A link to one job (from the audit log) opens its output; closing it leaves the list.
  const linkedJob = useSearchParams().get("job");
  const linked = useQuery(trpc.deployment.byId.queryOptions({ deploymentId: linkedJob ?? "" }, { enabled: linkedJob !== null }));
  const [picked, setOpen] = useState<Deployment | null | undefined>(undefined);
  const open: Deployment | null = picked === undefined ? (linked.data ?? null) : picked;
  const query = useInfiniteQuery(
    trpc.deployment.list.infiniteQueryOptions({ stackId: stack.id, limit: 20 }, { getNextPageParam: (page) => page.nextCursor, refetchInterval: 5_000 }),
  );
  const rows = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="deployments-heading" className="grid min-w-0 grid-cols-1 gap-3">
      <h3 id="deployments-heading" className="font-semibold">
        Deployments
      </h3>
      <ErrorAlert error={query.error} />
      {query.isPending ? (
        <Skeleton className="h-40" />
      ) : rows.length === 0 ? (
        <EmptyState icon={RocketIcon} title="No deployments yet" description="Jobs run from the Deploy tab show up here with their output." />
      ) : (
        <div className="rounded-lg border bg-card">
          <Table aria-label="Deployments">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Job</TableHead>
                <TableHead>Host</TableHead>
                <TableHead>Revision</TableHead>
                <TableHead>By</TableHead>
                <TableHead>When</TableHead>
                <TableHead>Duration</TableHead>
                <TableHead>
                  <span className="sr-only">Output</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((deployment) => (
                <TableRow key={deployment.id}>
                  <TableCell>
                    <div className="grid gap-0.5">
                      <DeploymentStatusBadge status={deployment.status} action={deployment.action} />
                      {deployment.error ? (
                        <span className="max-w-72 truncate text-xs text-destructive" title={deployment.error}>
                          {deployment.error}
                        </span>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell className="font-medium">{deployment.host.name}</TableCell>
                  <TableCell className="tabular-nums">#{deployment.revision.number}</TableCell>
                  <TableCell>{deployment.requestedByLabel}</TableCell>
                  <TableCell>
                    <RelativeTime value={deployment.createdAt} />
                  </TableCell>
                  <TableCell className="tabular-nums">{jobDuration(deployment) ?? <span className="text-muted-foreground">—</span>}</TableCell>
                  <TableCell className="text-right">
                    <Button size="sm" variant="ghost" onClick={() => setOpen(deployment)}>
                      <TerminalIcon aria-hidden />
                      Output
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {query.hasNextPage ? (
        <Button variant="outline" size="sm" className="w-fit" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Show older deployments
        </Button>
      ) : null}
      <JobOutputDialog job={open} onClose={() => setOpen(null)} />
    </section>
  );
}

export function HistoryTab({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const canDeploy = useCan("stack:deploy");
  const latest = stack.latestRevision?.number ?? 0;
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const revisions = useInfiniteQuery(
    trpc.stack.revisions.infiniteQueryOptions({ stackId: stack.id, limit: 30 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const rows = revisions.data?.pages.flatMap((page) => page.items) ?? [];

  if (latest === 0) {
    return <EmptyState icon={HistoryIcon} title="No revisions yet" description="Every save of the stack's files is kept as an immutable revision, listed here." />;
  }

  return (
    <div className="grid grid-cols-1 gap-8">
      <section aria-labelledby="revisions-heading" className="grid min-w-0 grid-cols-1 gap-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h3 id="revisions-heading" className="font-semibold">
            Revisions
          </h3>
          <p className="text-xs text-muted-foreground">Pick two to compare: “from” on the left, “to” on the right.</p>
        </div>
        <ErrorAlert error={revisions.error} />
        <div className="rounded-lg border bg-card">
          <Table aria-label="Revisions">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="w-12">From</TableHead>
                <TableHead className="w-12">To</TableHead>
                <TableHead>Revision</TableHead>
                <TableHead>Message</TableHead>
                <TableHead>Author</TableHead>
                <TableHead>Saved</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {revisions.isPending
                ? Array.from({ length: 3 }, (_, index) => (
                    <TableRow key={index}>
                      <TableCell colSpan={7}>
                        <Skeleton className="h-4 w-full" />
                      </TableCell>
                    </TableRow>
                  ))
                : rows.map((revision) => (
                    <TableRow key={revision.id} data-state={revision.number === from || revision.number === to ? "selected" : undefined}>
                      <TableCell>
                        <input
                          type="radio"
                          name="diff-from"
                          aria-label={`Compare from revision ${revision.number}`}
                          checked={from === revision.number}
                          onChange={() => setFrom(revision.number)}
                          className="size-4 accent-primary"
                        />
                      </TableCell>
                      <TableCell>
                        <input
                          type="radio"
                          name="diff-to"
                          aria-label={`Compare to revision ${revision.number}`}
                          checked={to === revision.number}
                          onChange={() => setTo(revision.number)}
                          className="size-4 accent-primary"
                        />
                      </TableCell>
                      <TableCell className="font-medium tabular-nums">
                        <span className="flex flex-wrap items-center gap-1.5">
                          <span className="flex items-center gap-1.5 whitespace-nowrap">
                            #{revision.number}
                            {revision.number === latest ? <Badge variant="secondary">latest</Badge> : null}
                          </span>
                          {stack.targets
                            .filter((target) => target.deployed?.revisionNumber === revision.number)
                            .map((target) => (
                              <Badge key={target.host.id} variant="success" title={`${target.host.name} runs revision #${revision.number}`}>
                                on {target.host.name}
                              </Badge>
                            ))}
                        </span>
                      </TableCell>
                      <TableCell className="min-w-48">
                        {revision.message ? (
                          <span className="line-clamp-2 [overflow-wrap:anywhere]" title={revision.message}>
                            {revision.message}
                          </span>
                        ) : (
                          <span className="text-muted-foreground">No message</span>
                        )}
                      </TableCell>
                      <TableCell>{revision.authorLabel}</TableCell>
                      <TableCell>
                        <RelativeTime value={revision.createdAt} />
                      </TableCell>
                      <TableCell className="text-right">
                        {/* The latest revision is what Deploy runs: rolling back applies to older ones. */}
                        {canDeploy && stack.targets.length > 0 && revision.number !== latest ? <RollbackDialog stack={stack} revisionNumber={revision.number} /> : null}
                      </TableCell>
                    </TableRow>
                  ))}
            </TableBody>
          </Table>
        </div>
        {revisions.hasNextPage ? (
          <Button variant="outline" size="sm" className="w-fit" onClick={() => void revisions.fetchNextPage()} disabled={revisions.isFetchingNextPage}>
            Show older revisions
          </Button>
        ) : null}
      </section>

      {from === to ? (
        <p className="flex items-center gap-2 rounded-lg border border-dashed p-4 text-sm text-muted-foreground">
          <GitCompareIcon aria-hidden className="size-4" />
          Pick two different revisions to see what changed.
        </p>
      ) : (
        <DiffView stackId={stack.id} from={from} to={to} />
      )}

      <BuildsTable stackId={stack.id} />

      <Deployments stack={stack} />
    </div>
  );
}
