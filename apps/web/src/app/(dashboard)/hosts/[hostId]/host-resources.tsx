"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { ImageSummary } from "@wharf/agent-protocol";
import { LayersIcon } from "lucide-react";
import { useMemo, useState } from "react";

import type { ColumnDef } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { useCan } from "~/components/me-context";
import { PushImageDialog } from "~/components/push-image-dialog";
import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "~/components/ui/tabs";
import { formatBytes, shortId } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

import { ContainersTab } from "./containers/containers-tab";
import { EventsTab } from "./events/events-tab";
import { NetworksTab } from "./networks/networks-tab";
import { dash, listOptions, ResourceTable } from "./resource-table";
import { LiveResources } from "./resources/live-resources";
import { VolumesTab } from "./volumes/volumes-tab";

const UNTAGGED_HINT = {
  dangling: "No tag and no image builds on it: docker image prune removes it.",
  intermediate: "A layer another image is built on (listed by docker images -a).",
} as const;

const imageColumns: ColumnDef<ImageSummary>[] = [
  {
    id: "tags",
    accessorFn: (image) => image.repoTags.join(", "),
    header: "Tags",
    cell: ({ row }) =>
      row.original.repoTags.length === 0 ? (
        <span className="flex items-center gap-2">
          <span className="text-muted-foreground">&lt;none&gt;</span>
          {row.original.untagged ? (
            <Badge variant="outline" title={UNTAGGED_HINT[row.original.untagged]}>
              {row.original.untagged === "dangling" ? "dangling" : "intermediate layer"}
            </Badge>
          ) : null}
        </span>
      ) : (
        <ul className="grid gap-0.5">
          {row.original.repoTags.map((tag) => (
            <li key={tag} className="font-mono text-xs">
              {tag}
            </li>
          ))}
        </ul>
      ),
  },
  {
    id: "id",
    accessorFn: (image) => shortId(image.id),
    header: "ID",
    cell: ({ getValue }) => <span className="font-mono text-xs">{String(getValue())}</span>,
  },
  {
    id: "size",
    accessorKey: "sizeBytes",
    header: "Size",
    enableGlobalFilter: false,
    cell: ({ row }) => <span className="tabular-nums">{formatBytes(row.original.sizeBytes)}</span>,
  },
  {
    id: "created",
    accessorFn: (image) => Date.parse(image.createdAt) || 0,
    header: "Created",
    enableGlobalFilter: false,
    cell: ({ row }) => <RelativeTime value={row.original.createdAt} />,
  },
  {
    id: "inUse",
    accessorKey: "containers",
    header: "In use by",
    enableGlobalFilter: false,
    // Docker reports -1 when it did not count.
    cell: ({ row }) =>
      row.original.containers < 0 ? (
        dash
      ) : (
        <span className="tabular-nums">
          {row.original.containers} container{row.original.containers === 1 ? "" : "s"}
        </span>
      ),
  },
];



type ImageKind = "all" | "tagged" | "dangling" | "intermediate";

const IMAGE_KINDS: { kind: ImageKind; label: string; matches: (image: ImageSummary) => boolean }[] = [
  { kind: "all", label: "All", matches: () => true },
  { kind: "tagged", label: "Tagged", matches: (image) => image.repoTags.length > 0 },
  { kind: "dangling", label: "Dangling", matches: (image) => image.untagged === "dangling" },
  { kind: "intermediate", label: "Intermediate layers", matches: (image) => image.untagged === "intermediate" },
];

function pushColumn(hostId: string): ColumnDef<ImageSummary> {
  return {
    id: "push",
    header: () => <span className="sr-only">Push</span>,
    cell: ({ row }) => <PushImageDialog hostId={hostId} image={row.original.repoTags[0] ?? row.original.id} />,
  };
}

/** Every image, as `docker info` counts them (the host's facts), with a filter by kind. */
function ImagesTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.host.images.queryOptions({ hostId }, listOptions));
  const [kind, setKind] = useState<ImageKind>("all");
  const chosen = IMAGE_KINDS.find((entry) => entry.kind === kind) ?? IMAGE_KINDS[0];
  const images = query.data;
  const shown = useMemo(() => (images && chosen ? images.filter(chosen.matches) : images), [images, chosen]);
  const canPush = useCan("stack:deploy");
  const columns = useMemo(() => (canPush ? [...imageColumns, pushColumn(hostId)] : imageColumns), [canPush, hostId]);
  return (
    <div className="grid gap-3">
      {images && images.length > 0 ? (
        <div role="group" aria-label="Show images" className="flex flex-wrap gap-1.5">
          {IMAGE_KINDS.map((entry) => (
            <Button key={entry.kind} size="sm" variant={entry.kind === kind ? "secondary" : "ghost"} aria-pressed={entry.kind === kind} onClick={() => setKind(entry.kind)}>
              {entry.label}
              <span className="text-muted-foreground tabular-nums">{images.filter(entry.matches).length}</span>
            </Button>
          ))}
        </div>
      ) : null}
      <ResourceTable
        label="Images"
        query={{ ...query, data: shown } as UseQueryResult<ImageSummary[], unknown>}
        columns={columns}
        getRowId={(image) => image.id}
        initialSorting={[{ id: "created", desc: true }]}
        empty={
          kind === "all" ? (
            <EmptyState icon={LayersIcon} title="No images on this host yet" description="Images appear once something pulls or builds them." />
          ) : (
            <EmptyState icon={LayersIcon} title={`No ${chosen?.label.toLowerCase() ?? ""} images`} description="Choose All to see every image on this host." />
          )
        }
      />
    </div>
  );
}



export function HostResources({ hostId }: { hostId: string }) {
  return (
    <section aria-labelledby="resources-heading" className="grid min-w-0 gap-3">
      <h2 id="resources-heading" className="sr-only">
        Docker resources
      </h2>
      <Tabs defaultValue="containers" className="min-w-0">
        <TabsList>
          <TabsTrigger value="containers">Containers</TabsTrigger>
          <TabsTrigger value="images">Images</TabsTrigger>
          <TabsTrigger value="volumes">Volumes</TabsTrigger>
          <TabsTrigger value="networks">Networks</TabsTrigger>
          <TabsTrigger value="events">Events</TabsTrigger>
          <TabsTrigger value="live">Live resources</TabsTrigger>
        </TabsList>
        <TabsContent value="containers">
          <ContainersTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="images">
          <ImagesTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="volumes">
          <VolumesTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="networks">
          <NetworksTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="events">
          <EventsTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="live">
          <LiveResources hostId={hostId} />
        </TabsContent>
      </Tabs>
    </section>
  );
}
