"use client";

import { useQuery } from "@tanstack/react-query";
import type { ImageHistoryEntry } from "@wharf/agent-protocol";
import { AlertCircleIcon } from "lucide-react";
import Link from "next/link";

import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { errorCode, errorMessage } from "~/lib/errors";
import { formatBytes, shortId } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

import { HostBackLink } from "../../host-back-link";
import { imagePath } from "../images-tab";

/** Docker records RUN steps as `/bin/sh -c …` and metadata steps as `/bin/sh -c #(nop) …`: show the instruction. */
function instruction(createdBy: string): string {
  return createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, "").replace(/^\/bin\/sh -c /, "RUN ");
}

function LayerRow({ hostId, entry, index }: { hostId: string; entry: ImageHistoryEntry; index: number }) {
  return (
    <li className="grid gap-1 border-b py-2 last:border-b-0" data-empty-layer={entry.emptyLayer}>
      <div className="flex flex-wrap items-baseline gap-2">
        <span className="w-8 shrink-0 text-right text-xs text-muted-foreground tabular-nums">{index}</span>
        <code className="min-w-0 flex-1 break-all text-xs">{instruction(entry.createdBy) || "(no instruction recorded)"}</code>
        {entry.emptyLayer ? (
          <Badge variant="outline" title="Changes only the image's configuration: no files, no layer">
            empty layer
          </Badge>
        ) : (
          <span className="text-sm tabular-nums">{formatBytes(entry.sizeBytes)}</span>
        )}
      </div>
      <div className="flex flex-wrap gap-x-4 gap-y-1 pl-10 text-xs text-muted-foreground">
        {entry.createdAt ? <RelativeTime value={entry.createdAt} /> : null}
        {entry.layer ? <span className="font-mono">layer {shortId(entry.layer)}</span> : null}
        {entry.comment ? <span>{entry.comment}</span> : null}
        {entry.sharedWith.length > 0 ? (
          <span>
            shared with{" "}
            {entry.sharedWith.map((image, position) => (
              <span key={image.id}>
                {position > 0 ? ", " : ""}
                <Link href={imagePath(hostId, image.id)} className="font-mono underline-offset-2 hover:underline">
                  {image.repoTags[0] ?? shortId(image.id)}
                </Link>
              </span>
            ))}
          </span>
        ) : null}
      </div>
    </li>
  );
}

/** One image: its facts, the containers using it, and its history newest first, each step's layer and who shares it. */
export function ImageView({ hostId, imageId }: { hostId: string; imageId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.image.inspect.queryOptions({ hostId, image: imageId }, { retry: (count, error) => errorCode(error) !== "NOT_FOUND" && count < 2 }));
  const image = query.data;
  const back = <HostBackLink hostId={hostId} />;
  if (!image) {
    return (
      <div className="grid gap-4">
        {back}
        <Alert variant={query.error ? "destructive" : "default"}>
          <AlertCircleIcon aria-hidden />
          <AlertTitle>{errorCode(query.error) === "NOT_FOUND" ? "This image is not on the host" : "The image could not be loaded"}</AlertTitle>
          <AlertDescription>{query.error ? errorMessage(query.error) : "Loading…"}</AlertDescription>
        </Alert>
      </div>
    );
  }
  const layers = image.history.filter((entry) => !entry.emptyLayer).length;
  const shared = image.history.filter((entry) => entry.sharedWith.length > 0).length;
  return (
    <div className="grid gap-6">
      <div className="grid gap-3">
        {back}
        <h1 className="font-mono text-2xl font-semibold tracking-tight break-all">{image.repoTags[0] ?? shortId(image.id)}</h1>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-muted-foreground">ID</dt>
          <dd className="font-mono text-xs break-all">{image.id}</dd>
          {image.repoTags.length > 1 ? (
            <>
              <dt className="text-muted-foreground">Tags</dt>
              <dd className="font-mono text-xs">{image.repoTags.join(", ")}</dd>
            </>
          ) : null}
          <dt className="text-muted-foreground">Digest</dt>
          <dd className="font-mono text-xs break-all">{image.repoDigests.join(", ") || "— (never pushed or pulled)"}</dd>
          <dt className="text-muted-foreground">Size</dt>
          <dd className="tabular-nums">{formatBytes(image.sizeBytes)}</dd>
          <dt className="text-muted-foreground">Created</dt>
          <dd>
            <RelativeTime value={image.createdAt} />
          </dd>
          <dt className="text-muted-foreground">Platform</dt>
          <dd>{[image.os, image.architecture].filter(Boolean).join("/") || "—"}</dd>
          <dt className="text-muted-foreground">Used by</dt>
          <dd>
            {image.containers.length === 0
              ? "no container"
              : image.containers.map((container, position) => (
                  <span key={container.id}>
                    {position > 0 ? ", " : ""}
                    <Link href={`/hosts/${hostId}/containers/${container.id}`} className="hover:underline">
                      {container.name}
                    </Link>
                  </span>
                ))}
          </dd>
        </dl>
      </div>
      <section aria-labelledby="layers-heading" className="grid gap-2">
        <h2 id="layers-heading" className="text-lg font-semibold">
          Layers and history
        </h2>
        <p className="text-sm text-muted-foreground">
          {image.history.length} instruction{image.history.length === 1 ? "" : "s"}, {layers} layer{layers === 1 ? "" : "s"}
          {shared > 0 ? `, ${shared} shared with other images on this host` : ""}. Newest first.
        </p>
        <ol aria-label="Layers" className="rounded-xl border px-3">
          {image.history.map((entry, index) => (
            <LayerRow key={index} hostId={hostId} entry={entry} index={image.history.length - index} />
          ))}
        </ol>
      </section>
    </div>
  );
}
