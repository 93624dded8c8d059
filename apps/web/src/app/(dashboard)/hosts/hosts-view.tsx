"use client";

import { useQuery } from "@tanstack/react-query";
import { PlusIcon, ServerIcon } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";

import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { HostStatusBadge } from "~/components/host-status-badge";
import { useCan } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { stackStateLabel } from "~/components/stack-state-badge";
import { StackStateSummary } from "~/components/stack-state-summary";
import { Button } from "~/components/ui/button";
import { formatBytes } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { AddHostDialog } from "./add-host-dialog";

type HostRow = RouterOutputs["host"]["list"][number];

const dash = <span className="text-muted-foreground">—</span>;

/** The stacks targeting each host and their state there (hosts carry them for roles allowed stack:read). */
const stacksColumn: ColumnDef<HostRow> = {
  id: "stacks",
  accessorFn: (host) => (host.stacks ?? []).map((stack) => `${stack.name} ${stackStateLabel(stack)}`).join(" "),
  header: "Stacks",
  enableSorting: false,
  cell: ({ row }) => {
    const stacks = row.original.stacks ?? [];
    if (stacks.length === 0) return dash;
    // Counts come from the host's last refresh: while it cannot be reached they are what was last known.
    return (
      <StackStateSummary
        items={stacks.map((stack) => ({ key: stack.id, stack, stale: row.original.status !== "ONLINE" }))}
        allHref={`/hosts/${row.original.id}#stacks`}
        allLabel={`All ${stacks.length} stacks`}
      />
    );
  },
};

const columns: ColumnDef<HostRow>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: ({ row }) => (
      <Link
        href={`/hosts/${row.original.id}`}
        className="rounded-sm font-medium whitespace-nowrap underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {row.original.name}
      </Link>
    ),
  },
  {
    id: "address",
    accessorFn: (host) => `${host.username}@${host.address}:${host.port}`,
    header: "Address",
    cell: ({ getValue }) => <span className="font-mono text-xs whitespace-nowrap">{String(getValue())}</span>,
  },
  {
    id: "environment",
    accessorFn: (host) => host.environment.name,
    header: "Environment",
    cell: ({ getValue }) => <span className="font-mono text-xs">{String(getValue())}</span>,
  },
  {
    id: "status",
    accessorKey: "status",
    header: "Status",
    cell: ({ row }) => (
      <div className="grid max-w-56 gap-1">
        <HostStatusBadge status={row.original.status} />
        {row.original.status !== "ONLINE" && row.original.statusMessage ? (
          <span className="truncate text-xs text-muted-foreground" title={row.original.statusMessage}>
            {row.original.statusMessage}
          </span>
        ) : null}
      </div>
    ),
  },
  {
    id: "lastSeen",
    accessorFn: (host) => host.lastSeenAt?.getTime() ?? 0,
    header: "Last seen",
    enableGlobalFilter: false,
    cell: ({ row }) => <RelativeTime value={row.original.lastSeenAt} />,
  },
  {
    id: "docker",
    accessorFn: (host) => host.summary?.dockerVersion ?? "",
    header: "Docker",
    cell: ({ row }) => (row.original.summary ? <span className="tabular-nums">{row.original.summary.dockerVersion}</span> : dash),
  },
  {
    id: "containers",
    accessorFn: (host) => host.summary?.containersRunning ?? -1,
    header: "Containers",
    enableGlobalFilter: false,
    cell: ({ row }) =>
      row.original.summary ? (
        <span className="tabular-nums">
          {row.original.summary.containersRunning} <span className="text-muted-foreground">of {row.original.summary.containersTotal} running</span>
        </span>
      ) : (
        dash
      ),
  },
  {
    id: "resources",
    accessorFn: (host) => host.summary?.cpus ?? -1,
    header: "CPUs / memory",
    enableGlobalFilter: false,
    cell: ({ row }) =>
      row.original.summary ? (
        <span className="tabular-nums">
          {row.original.summary.cpus} CPU{row.original.summary.cpus === 1 ? "" : "s"} · {formatBytes(row.original.summary.memoryBytes)}
        </span>
      ) : (
        dash
      ),
  },
];

export function HostsView() {
  const trpc = useTRPC();
  const canAdd = useCan("host:write");
  const [adding, setAdding] = useState(false);
  // Statuses change behind the scenes (the server's monitor): poll for them.
  const hosts = useQuery(trpc.host.list.queryOptions(undefined, { refetchInterval: 5_000 }));
  const canReadStacks = useCan("stack:read");
  // After Status: what runs there is the next thing people look for.
  const tableColumns = useMemo(() => (canReadStacks ? [...columns.slice(0, 3), stacksColumn, ...columns.slice(3)] : columns), [canReadStacks]);

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Hosts"
        description="Docker hosts Wharf reaches over SSH, with their live status."
        actions={
          canAdd ? (
            <Button onClick={() => setAdding(true)}>
              <PlusIcon aria-hidden />
              Add host
            </Button>
          ) : null
        }
      />
      <DataTable
        label="Hosts"
        columns={tableColumns}
        data={hosts.data}
        isLoading={hosts.isPending}
        getRowId={(host) => host.id}
        initialSorting={[{ id: "name", desc: false }]}
        error={hosts.error ? <ErrorAlert error={hosts.error} title="The host list could not be loaded" /> : null}
        empty={
          <EmptyState
            icon={ServerIcon}
            title="No hosts yet"
            description="Wharf signs in over SSH, installs a small agent and shows what Docker runs there."
            action={
              canAdd ? (
                <Button onClick={() => setAdding(true)}>
                  <PlusIcon aria-hidden />
                  Add your first host
                </Button>
              ) : (
                <p className="text-sm text-muted-foreground">Ask an owner or admin of your team to add one.</p>
              )
            }
          />
        }
      />
      {canAdd ? <AddHostDialog open={adding} onOpenChange={setAdding} /> : null}
    </div>
  );
}
