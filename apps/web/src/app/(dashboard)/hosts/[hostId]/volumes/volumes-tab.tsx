"use client";

import { useMutation, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import type { VolumeSummary } from "@wharf/agent-protocol";
import { DatabaseIcon, Trash2Icon } from "lucide-react";
import { useMemo, useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import type { ColumnDef } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { Textarea } from "~/components/ui/textarea";
import { formatBytes } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { CreateObjectDialog } from "../create-object-dialog";
import { RemoveObjectDialog } from "../remove-object-dialog";
import { dash, listOptions, ResourceTable } from "../resource-table";
import { VolumeBrowser } from "./volume-browser";

type Usage = RouterOutputs["volume"]["usage"][number];
type VolumeRow = VolumeSummary & { usage: Usage | null };

/** "key=value" lines as a record; blank lines are skipped. */
export function parseKeyValues(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const equals = trimmed.indexOf("=");
    if (equals === -1) result[trimmed] = "";
    else result[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  }
  return result;
}

function useInvalidate(hostId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.host.volumes.queryKey({ hostId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.volume.usage.queryKey({ hostId }) });
  };
}

function RemoveVolume({ hostId, volume }: { hostId: string; volume: VolumeRow }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  const remove = useMutation(trpc.volume.remove.mutationOptions({ onSuccess: () => toast.success(`Removed volume ${volume.name}`), onSettled: invalidate }));
  return (
    <RemoveObjectDialog
      kind="volume"
      name={volume.name}
      description="Its files are deleted for good. Docker refuses while a container uses it."
      mutation={remove}
      onConfirm={() => remove.mutateAsync({ hostId, name: volume.name })}
    />
  );
}

function CreateVolume({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  const [name, setName] = useState("");
  const [driver, setDriver] = useState("local");
  const [options, setOptions] = useState("");
  const [labels, setLabels] = useState("");
  const create = useMutation(trpc.volume.create.mutationOptions({ onSuccess: (created) => toast.success(`Created volume ${created.name}`), onSettled: invalidate }));
  return (
    <CreateObjectDialog
      kind="volume"
      title="New volume"
      description="A named volume on this host."
      canConfirm={name.trim() !== ""}
      mutation={create}
      onConfirm={() => create.mutateAsync({ hostId, name: name.trim(), driver: driver.trim() || "local", driverOptions: parseKeyValues(options), labels: parseKeyValues(labels) })}
      onClosed={() => {
        setName("");
        setOptions("");
        setLabels("");
      }}
    >
      <div className="grid gap-3">
        <div className="grid gap-1.5">
          <Label htmlFor="volume-name">Name</Label>
          <Input id="volume-name" value={name} onChange={(event) => setName(event.target.value)} className="font-mono" autoComplete="off" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="volume-driver">Driver</Label>
          <Input id="volume-driver" value={driver} onChange={(event) => setDriver(event.target.value)} className="font-mono" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="volume-options">Driver options (key=value per line)</Label>
          <Textarea id="volume-options" value={options} onChange={(event) => setOptions(event.target.value)} className="font-mono" placeholder="type=tmpfs&#10;device=tmpfs" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="volume-labels">Labels (key=value per line)</Label>
          <Textarea id="volume-labels" value={labels} onChange={(event) => setLabels(event.target.value)} className="font-mono" />
        </div>
      </div>
    </CreateObjectDialog>
  );
}

/** Lists what a prune would remove (a dry run when the dialog opens), then removes it. */
function PruneVolumes({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  const preview = useMutation(trpc.volume.prune.mutationOptions());
  const prune = useMutation(
    trpc.volume.prune.mutationOptions({
      onSuccess: (result) => toast.success(`Removed ${result.volumes.length} volume${result.volumes.length === 1 ? "" : "s"}, ${formatBytes(result.spaceReclaimedBytes)} returned`),
      onSettled: invalidate,
    }),
  );
  const going = preview.data?.volumes ?? [];
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="outline" onClick={() => preview.mutate({ hostId, dryRun: true })}>
          <Trash2Icon aria-hidden />
          Prune unused
        </Button>
      }
      title="Remove every volume no container uses?"
      description={preview.data ? `${going.length} volume${going.length === 1 ? "" : "s"} would go, about ${formatBytes(preview.data.spaceReclaimedBytes)} returned.` : "Finding the unused volumes…"}
      confirmLabel="Prune"
      canConfirm={going.length > 0}
      pending={prune.isPending || preview.isPending}
      error={prune.error ?? preview.error}
      onConfirm={async () => {
        await prune.mutateAsync({ hostId, dryRun: false });
      }}
      onClosed={() => {
        preview.reset();
        prune.reset();
      }}
    >
      {going.length > 0 ? (
        <ul className="max-h-48 overflow-y-auto font-mono text-xs">
          {going.map((volume) => (
            <li key={volume.name}>
              {volume.name} {volume.sizeBytes === null ? "" : `(${formatBytes(volume.sizeBytes)})`}
            </li>
          ))}
        </ul>
      ) : null}
    </ConfirmDialog>
  );
}

function columns(hostId: string, canWrite: boolean, canBrowse: boolean): ColumnDef<VolumeRow>[] {
  return [
    {
      id: "name",
      accessorKey: "name",
      header: "Name",
      cell: ({ row }) => (
        <span className="block max-w-72 truncate font-medium" title={row.original.name}>
          {row.original.name}
        </span>
      ),
    },
    { id: "driver", accessorKey: "driver", header: "Driver" },
    {
      id: "size",
      accessorFn: (volume) => volume.usage?.sizeBytes ?? -1,
      header: "Size",
      enableGlobalFilter: false,
      cell: ({ row }) => (row.original.usage?.sizeBytes == null ? dash : <span className="tabular-nums">{formatBytes(row.original.usage.sizeBytes)}</span>),
    },
    {
      id: "users",
      accessorFn: (volume) => (volume.usage?.containers ?? []).map((container) => container.name).join(", "),
      header: "Used by",
      cell: ({ row }) =>
        (row.original.usage?.containers.length ?? 0) === 0 ? (
          <span className="text-muted-foreground">unused</span>
        ) : (
          <span className="text-xs">{row.original.usage?.containers.map((container) => container.name).join(", ")}</span>
        ),
    },
    {
      id: "labels",
      accessorFn: (volume) => Object.entries(volume.labels).map(([key, value]) => `${key}=${value}`).join(" "),
      header: "Labels",
      enableSorting: false,
      cell: ({ getValue }) => <span className="block max-w-64 truncate font-mono text-xs">{String(getValue()) || "—"}</span>,
    },
    {
      id: "created",
      accessorFn: (volume) => (volume.createdAt ? Date.parse(volume.createdAt) || 0 : 0),
      header: "Created",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.createdAt} fallback="—" />,
    },
    ...(canWrite || canBrowse
      ? [
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            enableSorting: false,
            cell: ({ row }) => (
              <div className="flex justify-end gap-1">
                {canBrowse ? <VolumeBrowser hostId={hostId} volume={row.original.name} /> : null}
                {canWrite ? <RemoveVolume hostId={hostId} volume={row.original} /> : null}
              </div>
            ),
          } satisfies ColumnDef<VolumeRow>,
        ]
      : []),
  ];
}

export function VolumesTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const canWrite = useCan("host:write");
  const canBrowse = useCan("volume:browse");
  const volumes = useQuery(trpc.host.volumes.queryOptions({ hostId }, listOptions));
  // Sizes come from `system df`, which walks the volumes: refreshed less often than the list.
  const usage = useQuery(trpc.volume.usage.queryOptions({ hostId }, { refetchInterval: 60_000 }));
  // Stable columns: flexRender treats each cell function as a component, so new ones would remount the cells and close their dialogs.
  const tableColumns = useMemo(() => columns(hostId, canWrite, canBrowse), [hostId, canWrite, canBrowse]);
  const byName = new Map((usage.data ?? []).map((entry) => [entry.name, entry]));
  const rows = volumes.data?.map((volume) => ({ ...volume, usage: byName.get(volume.name) ?? null }));
  return (
    <ResourceTable<VolumeRow>
      label="Volumes"
      query={{ ...volumes, data: rows } as UseQueryResult<VolumeRow[], unknown>}
      columns={tableColumns}
      getRowId={(volume) => volume.name}
      initialSorting={[{ id: "name", desc: false }]}
      toolbar={
        canWrite ? (
          <div className="flex gap-2">
            <CreateVolume hostId={hostId} />
            <PruneVolumes hostId={hostId} />
          </div>
        ) : null
      }
      empty={<EmptyState icon={DatabaseIcon} title="No volumes on this host yet" description="Named and anonymous volumes show up here." />}
    />
  );
}
