"use client";

import { useQuery } from "@tanstack/react-query";
import type { ContainerSummary } from "@wharf/agent-protocol";
import { BoxIcon } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";

import { ContainerStateBadge } from "~/components/container-state-badge";
import type { ColumnDef } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { useTRPC } from "~/trpc/react";

import { dash, listOptions, ResourceTable } from "../resource-table";
import { ContainerActions } from "./container-actions";

export function formatPort(port: ContainerSummary["ports"][number]): string {
  const container = `${port.privatePort}/${port.type}`;
  return port.publicPort === null ? container : `${port.ip ?? "0.0.0.0"}:${port.publicPort}→${container}`;
}

function columns(hostId: string, selection: { selected: ReadonlySet<string>; toggle: (id: string) => void } | null): ColumnDef<ContainerSummary>[] {
  const select: ColumnDef<ContainerSummary>[] = selection
    ? [
        {
          id: "select",
          header: () => <span className="sr-only">Selected</span>,
          enableSorting: false,
          enableGlobalFilter: false,
          cell: ({ row }) => (
            <input
              type="checkbox"
              className="size-4 accent-primary"
              aria-label={`Select ${row.original.name}`}
              checked={selection.selected.has(row.original.id)}
              onChange={() => selection.toggle(row.original.id)}
            />
          ),
        },
      ]
    : [];
  return [
    ...select,
    {
      id: "name",
      accessorKey: "name",
      header: "Name",
      cell: ({ row }) => (
        <Link
          href={`/hosts/${hostId}/containers/${row.original.id}`}
          className="rounded-sm font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {row.original.name}
        </Link>
      ),
    },
    {
      id: "image",
      accessorKey: "image",
      header: "Image",
      cell: ({ row }) => (
        <span className="block max-w-64 truncate font-mono text-xs" title={row.original.image}>
          {row.original.image}
        </span>
      ),
    },
    { id: "state", accessorKey: "state", header: "State", cell: ({ row }) => <ContainerStateBadge state={row.original.state} /> },
    { id: "status", accessorKey: "status", header: "Status", cell: ({ row }) => <span className="text-muted-foreground">{row.original.status}</span> },
    {
      id: "ports",
      accessorFn: (container) => container.ports.map(formatPort).join(", "),
      header: "Ports",
      enableSorting: false,
      cell: ({ row }) =>
        row.original.ports.length === 0 ? (
          dash
        ) : (
          <ul className="grid gap-0.5 font-mono text-xs">
            {row.original.ports.map((port) => (
              <li key={formatPort(port)}>{formatPort(port)}</li>
            ))}
          </ul>
        ),
    },
    {
      id: "compose",
      accessorFn: (container) => [container.composeProject, container.composeService].filter(Boolean).join(" / "),
      header: "Compose",
      cell: ({ row }) =>
        row.original.composeProject ? (
          <span>
            {row.original.composeProject}
            {row.original.composeService ? <span className="text-muted-foreground"> / {row.original.composeService}</span> : null}
          </span>
        ) : (
          dash
        ),
    },
    {
      id: "created",
      accessorFn: (container) => Date.parse(container.createdAt) || 0,
      header: "Created",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.createdAt} />,
    },
  ];
}

/** Every container of the host, each linking to its page; those allowed to act select some and act on all at once. */
export function ContainersTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const canAct = useCan("host:write");
  const query = useQuery(trpc.host.containers.queryOptions({ hostId }, listOptions));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string): void =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const tableColumns = useMemo(() => columns(hostId, canAct ? { selected, toggle } : null), [hostId, canAct, selected]);
  // A container removed since it was selected drops out of the selection.
  const targets = (query.data ?? []).filter((container) => selected.has(container.id)).map(({ id, name, state }) => ({ id, name, state }));
  return (
    <ResourceTable
      label="Containers"
      query={query}
      columns={tableColumns}
      getRowId={(container) => container.id}
      initialSorting={[{ id: "name", desc: false }]}
      toolbar={
        canAct && targets.length > 0 ? (
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-sm text-muted-foreground">{targets.length} selected:</span>
            <ContainerActions hostId={hostId} targets={targets} onDone={() => setSelected(new Set())} />
          </div>
        ) : null
      }
      empty={
        <EmptyState icon={BoxIcon} title="No containers on this host yet" description="Containers started on this host, by Wharf or by hand, show up here." />
      }
    />
  );
}
