"use client";

import { useMutation, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import type { NetworkSummary } from "@wharf/agent-protocol";
import { NetworkIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import type { ColumnDef } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { useCan } from "~/components/me-context";
import { Badge } from "~/components/ui/badge";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { CreateObjectDialog } from "../create-object-dialog";
import { RemoveObjectDialog } from "../remove-object-dialog";
import { dash, listOptions, ResourceTable } from "../resource-table";

type NetworkRow = NetworkSummary & { containers: RouterOutputs["network"]["usage"][number]["containers"] | null };

const PREDEFINED = new Set(["bridge", "host", "none"]);

export function useInvalidateNetworks(hostId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.host.networks.queryKey({ hostId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.network.usage.queryKey({ hostId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.container.byId.pathKey() });
  };
}

function RemoveNetwork({ hostId, network }: { hostId: string; network: NetworkRow }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateNetworks(hostId);
  const remove = useMutation(trpc.network.remove.mutationOptions({ onSuccess: () => toast.success(`Removed network ${network.name}`), onSettled: invalidate }));
  return (
    <RemoveObjectDialog
      kind="network"
      name={network.name}
      description="Refused while a container is attached: disconnect it first."
      mutation={remove}
      onConfirm={() => remove.mutateAsync({ hostId, network: network.id })}
    />
  );
}

function CreateNetwork({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateNetworks(hostId);
  const [name, setName] = useState("");
  const [internal, setInternal] = useState(false);
  const [subnet, setSubnet] = useState("");
  const [gateway, setGateway] = useState("");
  const create = useMutation(trpc.network.create.mutationOptions({ onSuccess: (created) => toast.success(`Created network ${created.name}`), onSettled: invalidate }));
  return (
    <CreateObjectDialog
      kind="network"
      title="New bridge network"
      description="Containers on it reach each other by name; an internal one has no route out."
      canConfirm={name.trim() !== ""}
      mutation={create}
      onConfirm={() => create.mutateAsync({ hostId, name: name.trim(), driver: "bridge", internal, ...(subnet.trim() ? { subnet: subnet.trim() } : {}), ...(gateway.trim() ? { gateway: gateway.trim() } : {}) })}
      onClosed={() => {
        setName("");
        setSubnet("");
        setGateway("");
        setInternal(false);
      }}
    >
      <div className="grid gap-3">
        <div className="grid gap-1.5">
          <Label htmlFor="network-name">Name</Label>
          <Input id="network-name" value={name} onChange={(event) => setName(event.target.value)} className="font-mono" autoComplete="off" />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="size-4 accent-primary" checked={internal} onChange={(event) => setInternal(event.target.checked)} />
          Internal (no access outside the network)
        </label>
        <div className="grid gap-1.5">
          <Label htmlFor="network-subnet">Subnet (optional)</Label>
          <Input id="network-subnet" value={subnet} onChange={(event) => setSubnet(event.target.value)} className="font-mono" placeholder="172.30.0.0/24" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="network-gateway">Gateway (optional)</Label>
          <Input id="network-gateway" value={gateway} onChange={(event) => setGateway(event.target.value)} className="font-mono" placeholder="172.30.0.1" />
        </div>
      </div>
    </CreateObjectDialog>
  );
}

function columns(hostId: string, canWrite: boolean): ColumnDef<NetworkRow>[] {
  return [
    { id: "name", accessorKey: "name", header: "Name", cell: ({ row }) => <span className="font-medium">{row.original.name}</span> },
    { id: "driver", accessorKey: "driver", header: "Driver" },
    {
      id: "subnets",
      accessorFn: (network) => network.subnets.join(", "),
      header: "Subnets",
      enableSorting: false,
      cell: ({ row }) => (row.original.subnets.length === 0 ? dash : <span className="font-mono text-xs">{row.original.subnets.join(", ")}</span>),
    },
    {
      id: "internal",
      accessorFn: (network) => (network.internal ? "internal" : "external"),
      header: "Internal",
      cell: ({ row }) => (row.original.internal ? <Badge variant="secondary">Internal</Badge> : <span className="text-muted-foreground">No</span>),
    },
    {
      id: "containers",
      accessorFn: (network) => (network.containers ?? []).map((container) => container.name).join(", "),
      header: "Containers",
      cell: ({ row }) =>
        row.original.containers === null ? dash : row.original.containers.length === 0 ? <span className="text-muted-foreground">none</span> : <span className="text-xs">{row.original.containers.map((container) => container.name).join(", ")}</span>,
    },
    ...(canWrite
      ? [
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            enableSorting: false,
            cell: ({ row }) => (PREDEFINED.has(row.original.name) ? null : <RemoveNetwork hostId={hostId} network={row.original} />),
          } satisfies ColumnDef<NetworkRow>,
        ]
      : []),
  ];
}

export function NetworksTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const canWrite = useCan("host:write");
  const networks = useQuery(trpc.host.networks.queryOptions({ hostId }, listOptions));
  const usage = useQuery(trpc.network.usage.queryOptions({ hostId }, listOptions));
  const byId = new Map((usage.data ?? []).map((entry) => [entry.id, entry.containers]));
  const rows = networks.data?.map((network) => ({ ...network, containers: byId.get(network.id) ?? null }));
  return (
    <ResourceTable<NetworkRow>
      label="Networks"
      query={{ ...networks, data: rows } as UseQueryResult<NetworkRow[], unknown>}
      columns={columns(hostId, canWrite)}
      getRowId={(network) => network.id}
      initialSorting={[{ id: "name", desc: false }]}
      toolbar={canWrite ? <CreateNetwork hostId={hostId} /> : null}
      empty={<EmptyState icon={NetworkIcon} title="No networks on this host" description="Docker normally creates bridge, host and none; this host reports none." />}
    />
  );
}
