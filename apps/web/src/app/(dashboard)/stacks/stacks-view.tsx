"use client";

import { useQuery } from "@tanstack/react-query";
import { LayersIcon, PlusIcon } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { StackStateSummary } from "~/components/stack-state-summary";
import { Button } from "~/components/ui/button";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { NewStackDialog } from "./new-stack-dialog";

type StackRow = RouterOutputs["stack"]["list"][number];

const columns: ColumnDef<StackRow>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: ({ row }) => (
      <div className="grid max-w-72 gap-0.5">
        <Link
          href={`/stacks/${row.original.id}`}
          className="w-fit rounded-sm font-medium whitespace-nowrap underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {row.original.name}
        </Link>
        {row.original.description ? (
          <span
            className="truncate text-xs text-muted-foreground"
            title={row.original.description}
          >
            {row.original.description}
          </span>
        ) : null}
      </div>
    ),
  },
  {
    id: "hosts",
    accessorFn: (stack) =>
      stack.targets.map((target) => target.host.name).join(" "),
    header: "Hosts",
    enableSorting: false,
    cell: ({ row }) =>
      row.original.targets.length === 0 ? (
        <span className="text-muted-foreground">No hosts yet</span>
      ) : (
        <StackStateSummary
          // The host's name in each badge: "h1 running", as the hosts list says "shop running".
          items={row.original.targets.map((target) => ({
            key: target.host.id,
            stack: { id: row.original.id, name: target.host.name, ...(target.state ?? { state: "NOT_DEPLOYED" as const, action: null, containers: null }) },
            stale: target.host.status !== "ONLINE",
          }))}
          allHref={`/stacks/${row.original.id}?tab=deploy`}
          allLabel={`All ${row.original.targets.length} hosts`}
        />
      ),
  },
  {
    id: "revision",
    accessorFn: (stack) => stack.latestRevision?.number ?? 0,
    header: "Latest revision",
    enableGlobalFilter: false,
    cell: ({ row }) => {
      const revision = row.original.latestRevision;
      if (!revision)
        return <span className="text-muted-foreground">No files yet</span>;
      return (
        <div className="grid max-w-64 gap-0.5">
          <span className="tabular-nums">
            #{revision.number}{" "}
            <span className="text-muted-foreground">
              by {revision.authorLabel}
            </span>
          </span>
          {revision.message ? (
            <span
              className="truncate text-xs text-muted-foreground"
              title={revision.message}
            >
              {revision.message}
            </span>
          ) : null}
        </div>
      );
    },
  },
  {
    id: "updated",
    accessorFn: (stack) => stack.updatedAt.getTime(),
    header: "Updated",
    enableGlobalFilter: false,
    cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
  },
];

export function StacksView() {
  const trpc = useTRPC();
  const canWrite = useCan("stack:write");
  const [creating, setCreating] = useState(false);
  // Deploy statuses change while jobs run elsewhere: poll for them.
  const stacks = useQuery(
    trpc.stack.list.queryOptions({}, { refetchInterval: 5_000 }),
  );

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Stacks"
        description="Compose projects of one or more files, deployed to your hosts from immutable revisions."
        actions={
          canWrite ? (
            <Button onClick={() => setCreating(true)}>
              <PlusIcon aria-hidden />
              New stack
            </Button>
          ) : null
        }
      />
      <DataTable
        label="Stacks"
        columns={columns}
        data={stacks.data}
        isLoading={stacks.isPending}
        getRowId={(stack) => stack.id}
        initialSorting={[{ id: "name", desc: false }]}
        error={stacks.error ? <ErrorAlert error={stacks.error} title="The stack list could not be loaded" /> : null}
        empty={
          <EmptyState
            icon={LayersIcon}
            title="No stacks yet"
            description="A stack is a compose project: its files, variables and runtime limits, deployed to one or more hosts."
            action={
              canWrite ? (
                <Button onClick={() => setCreating(true)}>
                  <PlusIcon aria-hidden />
                  Create your first stack
                </Button>
              ) : (
                <p className="text-sm text-muted-foreground">
                  Ask an owner or admin of your team to create one.
                </p>
              )
            }
          />
        }
      />
      {canWrite ? (
        <NewStackDialog open={creating} onOpenChange={setCreating} />
      ) : null}
    </div>
  );
}
