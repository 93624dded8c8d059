"use client";

import { skipToken, useMutation, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { ImageSummary, PullProgress } from "@wharf/agent-protocol";
import { DownloadIcon, LayersIcon, Trash2Icon } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import type { ColumnDef } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { useCan } from "~/components/me-context";
import { PushImageDialog } from "~/components/push-image-dialog";
import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { errorMessage } from "~/lib/errors";
import { formatBytes, shortId } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

import { dash, listOptions, ResourceTable } from "../resource-table";

const UNTAGGED_HINT = {
  dangling: "No tag and no image builds on it: docker image prune removes it.",
  intermediate: "A layer another image is built on (listed by docker images -a).",
} as const;

/** The image page's path segment: the id without its algorithm, which Docker takes as the image's name. */
export function imagePath(hostId: string, id: string): string {
  return `/hosts/${hostId}/images/${id.replace(/^sha256:/, "")}`;
}

function useInvalidate(hostId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.host.images.queryKey({ hostId }) });
    void queryClient.invalidateQueries(trpc.image.pathFilter());
  };
}

function RemoveImage({ hostId, image }: { hostId: string; image: ImageSummary }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  // A tag removes just that tag (the image goes with its last one); an untagged image goes by id.
  const target = image.repoTags[0] ?? image.id;
  const remove = useMutation(trpc.image.remove.mutationOptions({ onSuccess: () => toast.success(`Removed ${target}`), onSettled: invalidate }));
  return (
    <ConfirmDialog
      trigger={
        <Button size="icon-sm" variant="ghost" aria-label={`Remove image ${target}`}>
          <Trash2Icon aria-hidden />
        </Button>
      }
      title={`Remove image ${target}?`}
      description={`${image.repoTags.length > 1 ? "Only this tag goes; the image keeps its other tags." : `About ${formatBytes(image.sizeBytes)} (less what other images share) returns.`} Refused while a container uses it.`}
      confirmLabel="Remove"
      pending={remove.isPending}
      error={remove.error}
      onConfirm={async () => {
        await remove.mutateAsync({ hostId, image: target });
      }}
      onClosed={() => remove.reset()}
    />
  );
}

const PRUNE_SCOPES = {
  dangling: { label: "Prune dangling", title: "Remove every dangling image?", what: "untagged image nothing builds on" },
  unused: { label: "Prune unused", title: "Remove every image no container uses?", what: "image no container uses" },
} as const;

/** Lists what a prune would remove (a dry run when the dialog opens) and the space it returns, then removes it. */
function PruneImages({ hostId, scope }: { hostId: string; scope: keyof typeof PRUNE_SCOPES }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  const preview = useMutation(trpc.image.prune.mutationOptions());
  const prune = useMutation(
    trpc.image.prune.mutationOptions({
      onSuccess: (result) => toast.success(`Removed ${result.images.length} image${result.images.length === 1 ? "" : "s"}, ${formatBytes(result.spaceReclaimedBytes)} returned`),
      onSettled: invalidate,
    }),
  );
  const going = preview.data?.images ?? [];
  const text = PRUNE_SCOPES[scope];
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="outline" onClick={() => preview.mutate({ hostId, scope, dryRun: true })}>
          <Trash2Icon aria-hidden />
          {text.label}
        </Button>
      }
      title={text.title}
      description={
        preview.data
          ? going.length === 0
            ? `No ${text.what}: nothing to remove.`
            : `${going.length} image${going.length === 1 ? "" : "s"} would go, ${formatBytes(preview.data.spaceReclaimedBytes)} returned.`
          : "Finding what would go…"
      }
      confirmLabel="Prune"
      canConfirm={going.length > 0}
      pending={prune.isPending || preview.isPending}
      error={prune.error ?? preview.error}
      onConfirm={async () => {
        await prune.mutateAsync({ hostId, scope, dryRun: false });
      }}
      onClosed={() => {
        preview.reset();
        prune.reset();
      }}
    >
      {going.length > 0 ? (
        <ul aria-label="Images that would go" className="max-h-48 overflow-y-auto font-mono text-xs">
          {going.map((image) => (
            <li key={image.id}>
              {image.repoTags.join(", ") || shortId(image.id)} ({formatBytes(image.sizeBytes)})
            </li>
          ))}
        </ul>
      ) : null}
    </ConfirmDialog>
  );
}

interface LayerState {
  status: string;
  currentBytes: number | null;
  totalBytes: number | null;
}

/** Pulls a reference, showing each layer's progress live as Docker reports it. */
function PullImage({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate(hostId);
  const [reference, setReference] = useState("");
  const [pulling, setPulling] = useState<string | null>(null);
  const [layers, setLayers] = useState<Map<string, LayerState>>(new Map());
  const [status, setStatus] = useState<string[]>([]);
  const [done, setDone] = useState<Extract<PullProgress, { kind: "done" }> | null>(null);
  const subscription = useSubscription(
    trpc.image.pull.subscriptionOptions(pulling ? { hostId, reference: pulling } : skipToken, {
      onData: (frame) => {
        if (frame.kind === "layer") setLayers((previous) => new Map(previous).set(frame.layer, frame));
        else if (frame.kind === "status") setStatus((previous) => [...previous, frame.status]);
        else {
          setDone(frame);
          setPulling(null);
          toast.success(`Pulled ${reference}`);
          invalidate();
        }
      },
      onError: () => setPulling(null),
    }),
  );
  const reset = () => {
    setPulling(null);
    setLayers(new Map());
    setStatus([]);
    setDone(null);
  };
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="outline">
          <DownloadIcon aria-hidden />
          Pull image
        </Button>
      }
      title="Pull an image"
      description="A reference such as registry.example.com/team/app:1.2 (name, tag or digest)."
      confirmLabel={pulling ? "Pulling…" : "Pull"}
      confirmVariant="default"
      canConfirm={reference.trim() !== "" && !pulling}
      pending={pulling !== null}
      error={subscription.error}
      onConfirm={() => {
        reset();
        setPulling(reference.trim());
        // The dialog stays open to show the progress.
        return Promise.resolve(false);
      }}
      onClosed={() => {
        reset();
        setReference("");
      }}
    >
      <div className="grid gap-3">
        <div className="grid gap-1.5">
          <Label htmlFor="pull-reference">Image reference</Label>
          <Input id="pull-reference" value={reference} onChange={(event) => setReference(event.target.value)} className="font-mono" autoComplete="off" />
        </div>
        {layers.size > 0 || status.length > 0 ? (
          <ul aria-label="Pull progress" aria-live="polite" className="grid max-h-64 gap-1 overflow-y-auto font-mono text-xs">
            {status.map((line, index) => (
              <li key={`status-${index}`} className="text-muted-foreground">
                {line}
              </li>
            ))}
            {[...layers.entries()].map(([layer, state]) => (
              <li key={layer} className="grid gap-0.5">
                <span>
                  {layer}: {state.status}
                  {state.totalBytes ? ` ${formatBytes(state.currentBytes ?? 0)} / ${formatBytes(state.totalBytes)}` : ""}
                </span>
                {state.totalBytes ? <progress className="h-1 w-full" max={state.totalBytes} value={state.currentBytes ?? 0} aria-label={`Layer ${layer}`} /> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {done ? (
          <p className="text-sm">
            Pulled: <Link href={imagePath(hostId, done.id)} className="font-mono underline">{shortId(done.id)}</Link>
            {done.digest ? <span className="block font-mono text-xs text-muted-foreground">{done.digest}</span> : null}
          </p>
        ) : null}
        {subscription.error ? <p className="text-sm text-destructive">{errorMessage(subscription.error)}</p> : null}
      </div>
    </ConfirmDialog>
  );
}

function imageColumns(hostId: string, can: { write: boolean; push: boolean }): ColumnDef<ImageSummary>[] {
  return [
    {
      id: "tags",
      accessorFn: (image) => image.repoTags.join(", "),
      header: "Tags",
      cell: ({ row }) =>
        row.original.repoTags.length === 0 ? (
          <span className="flex items-center gap-2">
            <Link href={imagePath(hostId, row.original.id)} className="text-muted-foreground hover:underline">
              &lt;none&gt;
            </Link>
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
                <Link href={imagePath(hostId, row.original.id)} className="hover:underline">
                  {tag}
                </Link>
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
      id: "digest",
      accessorFn: (image) => image.repoDigests.join(" "),
      header: "Digest",
      enableSorting: false,
      cell: ({ row }) =>
        row.original.repoDigests.length === 0 ? (
          dash
        ) : (
          <span className="block max-w-48 truncate font-mono text-xs" title={row.original.repoDigests.join("\n")}>
            {row.original.repoDigests[0]?.split("@")[1] ?? ""}
          </span>
        ),
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
      accessorFn: (image) => image.containerNames.join(", "),
      header: "In use by",
      // Docker reports -1 when it did not count.
      cell: ({ row }) =>
        row.original.containers < 0 ? (
          dash
        ) : row.original.containers === 0 ? (
          <span className="text-muted-foreground">unused</span>
        ) : (
          <span className="text-xs" title={row.original.containerNames.join("\n")}>
            {row.original.containerNames.length > 0 ? row.original.containerNames.join(", ") : `${row.original.containers} container${row.original.containers === 1 ? "" : "s"}`}
          </span>
        ),
    },
    ...(can.push
      ? [
          {
            id: "push",
            header: () => <span className="sr-only">Push</span>,
            enableSorting: false,
            cell: ({ row }) => <PushImageDialog hostId={hostId} image={row.original.repoTags[0] ?? row.original.id} />,
          } satisfies ColumnDef<ImageSummary>,
        ]
      : []),
    ...(can.write
      ? [{ id: "actions", header: () => <span className="sr-only">Actions</span>, enableSorting: false, cell: ({ row }) => <RemoveImage hostId={hostId} image={row.original} /> } satisfies ColumnDef<ImageSummary>]
      : []),
  ];
}

type ImageKind = "all" | "tagged" | "dangling" | "intermediate";

const IMAGE_KINDS: { kind: ImageKind; label: string; matches: (image: ImageSummary) => boolean }[] = [
  { kind: "all", label: "All", matches: () => true },
  { kind: "tagged", label: "Tagged", matches: (image) => image.repoTags.length > 0 },
  { kind: "dangling", label: "Dangling", matches: (image) => image.untagged === "dangling" },
  { kind: "intermediate", label: "Intermediate layers", matches: (image) => image.untagged === "intermediate" },
];

/** Every image, as `docker info` counts them (the host's facts), with a filter by kind, pull, remove and prune. */
export function ImagesTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const canWrite = useCan("host:write");
  const canPush = useCan("stack:deploy");
  // Built once per permission change: new column objects would remount the cells and close their dialogs.
  const columns = useMemo(() => imageColumns(hostId, { write: canWrite, push: canPush }), [hostId, canWrite, canPush]);
  const query = useQuery(trpc.host.images.queryOptions({ hostId }, listOptions));
  const [kind, setKind] = useState<ImageKind>("all");
  const chosen = IMAGE_KINDS.find((entry) => entry.kind === kind) ?? IMAGE_KINDS[0];
  const images = query.data;
  const shown = useMemo(() => (images && chosen ? images.filter(chosen.matches) : images), [images, chosen]);
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
        toolbar={
          canWrite ? (
            <div className="flex flex-wrap gap-2">
              <PullImage hostId={hostId} />
              <PruneImages hostId={hostId} scope="dangling" />
              <PruneImages hostId={hostId} scope="unused" />
            </div>
          ) : null
        }
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
