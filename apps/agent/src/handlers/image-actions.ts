import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";

import type { ImageHistoryEntry, PullProgress } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { isoFromUnixSeconds, parseDockerResponse } from "../docker/client";
import { imageReferenceProblem } from "../docker/image-reference";
import { AgentFailure } from "../failure";
import type { CallHandler, StreamHandler } from "./context";

const listed = z.array(
  z.object({
    Id: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Size: z.number(),
    ParentId: z.string().nullish(),
  }),
);
const containersOf = z.array(z.object({ Id: z.string(), ImageID: z.string(), Names: z.array(z.string()).nullish() }));
const inspected = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
  Size: z.number(),
  Created: z.string(),
  Architecture: z.string().nullish(),
  Os: z.string().nullish(),
  RootFS: z.object({ Layers: z.array(z.string()).nullish() }).nullish(),
  Config: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).nullish(),
});
const history = z.array(
  z.object({ Created: z.number().nullish(), CreatedBy: z.string().nullish(), Size: z.number(), Comment: z.string().nullish() }),
);

const tagsOf = (tags: string[] | null | undefined): string[] => (tags ?? []).filter((tag) => tag !== "<none>:<none>");

/** Docker's ChainID of each layer: a layer's identity in the layer store, its diff id on top of everything below it. */
export function chainIds(diffIds: string[]): string[] {
  const chains: string[] = [];
  for (const diffId of diffIds) {
    const below = chains.at(-1);
    chains.push(below === undefined ? diffId : `sha256:${createHash("sha256").update(`${below} ${diffId}`).digest("hex")}`);
  }
  return chains;
}

// Instructions that only change the image's config; Docker marks them empty_layer but the Engine API's history leaves the flag out.
const METADATA_INSTRUCTION = /^(?:\/bin\/sh -c #\(nop\)\s+)?(?:ENV|CMD|LABEL|EXPOSE|ENTRYPOINT|WORKDIR|USER|VOLUME|ARG|STOPSIGNAL|HEALTHCHECK|SHELL|ONBUILD|MAINTAINER)\b/;

/**
 * Which history entries (oldest first) made a filesystem layer: every entry with bytes does,
 * and as many zero-byte ones as the RootFS has layers left, instructions that write files first.
 * Null when the two cannot line up (an image imported without history).
 */
export function layerOwners(entries: { createdBy: string; sizeBytes: number }[], layerCount: number): boolean[] | null {
  const owns = entries.map((entry) => entry.sizeBytes > 0);
  let missing = layerCount - owns.filter(Boolean).length;
  if (missing < 0) return null;
  const zero = entries.map((entry, index) => ({ index, metadata: METADATA_INSTRUCTION.test(entry.createdBy.trim()) })).filter(({ index }) => !owns[index]);
  for (const { index } of [...zero.filter((entry) => !entry.metadata), ...zero.filter((entry) => entry.metadata)]) {
    if (missing === 0) break;
    owns[index] = true;
    missing -= 1;
  }
  return missing === 0 ? owns : null;
}

interface HostImage {
  id: string;
  repoTags: string[];
  parentId: string | null;
  sizeBytes: number;
  chains: string[];
  labels: Record<string, string>;
}

async function readHistory(docker: Docker, id: string) {
  // Oldest first, the order of the RootFS layers.
  return parseDockerResponse(history, await docker.getImage(id).history(), "image history").reverse();
}

/** Every image on the host (intermediate ones too) with its layers' chain ids, and the containers using each image id. */
async function hostImages(docker: Docker, signal: AbortSignal): Promise<{ images: HostImage[]; users: Map<string, { id: string; name: string }[]> }> {
  const [list, containers] = await Promise.all([docker.listImages({ all: true, abortSignal: signal }), docker.listContainers({ all: true, abortSignal: signal })]);
  const users = new Map<string, { id: string; name: string }[]>();
  for (const container of parseDockerResponse(containersOf, containers, "container list")) {
    const entry = { id: container.Id, name: (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, "") };
    users.set(container.ImageID, [...(users.get(container.ImageID) ?? []), entry]);
  }
  const images = await Promise.all(
    parseDockerResponse(listed, list, "image list").map(async (image) => {
      const detail = parseDockerResponse(inspected, await docker.getImage(image.Id).inspect(), "image");
      return { id: image.Id, repoTags: tagsOf(image.RepoTags), parentId: image.ParentId || null, sizeBytes: image.Size, chains: chainIds(detail.RootFS?.Layers ?? []), labels: detail.Config?.Labels ?? {} };
    }),
  );
  return { images, users };
}

export const inspectImage: CallHandler<"inspectImage"> = async (params, ctx) => {
  const detail = parseDockerResponse(inspected, await ctx.docker.getImage(params.image).inspect(), "image");
  const [entries, host] = await Promise.all([readHistory(ctx.docker, detail.Id), hostImages(ctx.docker, ctx.signal)]);
  const layers = detail.RootFS?.Layers ?? [];
  const chains = chainIds(layers);
  // Intermediate images are this image's own ancestors, not other images a user knows.
  const others = host.images.filter((image) => image.id !== detail.Id && image.repoTags.length > 0);
  const rows = entries.map((entry) => ({ createdBy: entry.CreatedBy ?? "", sizeBytes: entry.Size }));
  const owners = layerOwners(rows, layers.length);
  let next = 0;
  const historyRows: ImageHistoryEntry[] = entries.map((entry, index) => {
    const owns = owners?.[index] ?? false;
    const position = owns ? next++ : -1;
    const chain = position >= 0 ? chains[position] : undefined;
    return {
      createdBy: entry.CreatedBy ?? "",
      createdAt: entry.Created ? isoFromUnixSeconds(entry.Created) : null,
      sizeBytes: entry.Size,
      emptyLayer: owners === null ? entry.Size === 0 && METADATA_INSTRUCTION.test((entry.CreatedBy ?? "").trim()) : !owns,
      comment: entry.Comment ?? "",
      layer: position >= 0 ? (layers[position] ?? null) : null,
      sharedWith: chain === undefined ? [] : others.filter((image) => image.chains.includes(chain)).map((image) => ({ id: image.id, repoTags: image.repoTags })),
    };
  });
  return {
    id: detail.Id,
    repoTags: tagsOf(detail.RepoTags),
    repoDigests: (detail.RepoDigests ?? []).filter((digest) => digest !== "<none>@<none>"),
    sizeBytes: detail.Size,
    createdAt: detail.Created,
    architecture: detail.Architecture ?? "",
    os: detail.Os ?? "",
    layers,
    history: historyRows.reverse(),
    containers: host.users.get(detail.Id) ?? [],
  };
};

export const removeImage: CallHandler<"removeImage"> = async (params, ctx) => {
  const detail = parseDockerResponse(inspected, await ctx.docker.getImage(params.image).inspect(), "image");
  const byReference = tagsOf(detail.RepoTags).includes(params.image);
  // Removing one of several tags leaves the image (and its containers) alone; anything else deletes it.
  const deletes = !byReference || tagsOf(detail.RepoTags).length <= 1;
  const users = (await hostImages(ctx.docker, ctx.signal)).users.get(detail.Id) ?? [];
  if (deletes && users.length > 0) {
    throw new AgentFailure(
      "CONFLICT",
      `image ${params.image} is used by ${users.map((user) => user.name).join(", ")}: remove ${users.length === 1 ? "that container" : "those containers"} first`,
    );
  }
  const answer = parseDockerResponse(
    z.array(z.object({ Untagged: z.string().nullish(), Deleted: z.string().nullish() })),
    await ctx.docker.getImage(params.image).remove({ abortSignal: ctx.signal }),
    "image removal",
  );
  ctx.log.info("image removed", { image: params.image });
  return { untagged: answer.flatMap((row) => (row.Untagged ? [row.Untagged] : [])), deleted: answer.flatMap((row) => (row.Deleted ? [row.Deleted] : [])) };
};

/**
 * The images a prune removes, as Docker decides: an image goes when no container uses it,
 * every image built on it goes too, and (for dangling only) it has no tag; an untagged
 * parent goes with its last child whatever its labels, other images only with the label asked for.
 */
export function pruneSet(images: HostImage[], users: Map<string, unknown[]>, scope: "dangling" | "unused", label?: string): Set<string> {
  const [key = "", value] = label?.split(/=(.*)/s) ?? [];
  const labelled = (image: HostImage): boolean => !label || (image.labels[key] !== undefined && (value === undefined || image.labels[key] === value));
  const children = new Map<string, string[]>();
  for (const image of images) if (image.parentId) children.set(image.parentId, [...(children.get(image.parentId) ?? []), image.id]);
  const removed = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const image of images) {
      if (removed.has(image.id) || users.has(image.id)) continue;
      if (scope === "dangling" && image.repoTags.length > 0) continue;
      const below = children.get(image.id) ?? [];
      if (!below.every((child) => removed.has(child))) continue;
      // Docker picks the images carrying the label, then deletes their untagged parents along.
      if (!labelled(image) && !(below.length > 0 && image.repoTags.length === 0)) continue;
      removed.add(image.id);
      changed = true;
    }
  }
  return removed;
}

export const pruneImages: CallHandler<"pruneImages"> = async (params, ctx) => {
  const { images, users } = await hostImages(ctx.docker, ctx.signal);
  const going = pruneSet(images, users, params.scope, params.label);
  const goingImages = images.filter((image) => going.has(image.id)).map((image) => ({ id: image.id, repoTags: image.repoTags, sizeBytes: image.sizeBytes }));
  if (params.dryRun) {
    // The bytes of the layers only departing images hold, each layer's size from its image's history.
    const kept = new Set(images.filter((image) => !going.has(image.id)).flatMap((image) => image.chains));
    const sizes = new Map<string, number>();
    for (const image of images.filter((candidate) => going.has(candidate.id))) {
      const entries = await readHistory(ctx.docker, image.id);
      const owners = layerOwners(entries.map((entry) => ({ createdBy: entry.CreatedBy ?? "", sizeBytes: entry.Size })), image.chains.length);
      let position = 0;
      entries.forEach((entry, index) => {
        if (!owners?.[index]) return;
        const chain = image.chains[position++];
        if (chain !== undefined && !kept.has(chain)) sizes.set(chain, entry.Size);
      });
    }
    return { images: goingImages, spaceReclaimedBytes: [...sizes.values()].reduce((sum, size) => sum + size, 0) };
  }
  const pruned = parseDockerResponse(
    z.object({ ImagesDeleted: z.array(z.object({ Deleted: z.string().nullish() })).nullish(), SpaceReclaimed: z.number().nullish() }),
    await ctx.docker.pruneImages({ filters: { dangling: [params.scope === "dangling" ? "true" : "false"], ...(params.label ? { label: [params.label] } : {}) }, abortSignal: ctx.signal }),
    "prune result",
  );
  // Docker lists the deleted layers among the deleted images: keep the images.
  const deleted = new Set((pruned.ImagesDeleted ?? []).flatMap((row) => (row.Deleted ? [row.Deleted] : [])));
  const removed = images.filter((image) => deleted.has(image.id));
  ctx.log.info("images pruned", { count: removed.length });
  return {
    images: removed.map((image) => ({ id: image.id, repoTags: image.repoTags, sizeBytes: image.sizeBytes })),
    spaceReclaimedBytes: pruned.SpaceReclaimed ?? 0,
  };
};

const pullLine = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  progressDetail: z.object({ current: z.number().optional(), total: z.number().optional() }).partial().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).optional(),
});

/** One line of Docker's pull output as a progress frame; null for lines with nothing to show. */
export function toPullProgress(line: string): PullProgress | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = pullLine.safeParse(json);
  if (!parsed.success) return null;
  const { id, status, progressDetail, error, errorDetail } = parsed.data;
  if (error !== undefined) throw new AgentFailure(/not found|manifest unknown/i.test(error) ? "NOT_FOUND" : "INTERNAL", `the pull failed: ${errorDetail?.message ?? error}`);
  if (status === undefined) return null;
  // "Pulling from library/busybox" carries the tag as its id: a line about the whole pull.
  if (id === undefined || status.startsWith("Pulling from")) return { kind: "status", status: id && !status.includes(id) ? `${status} (${id})` : status };
  return { kind: "layer", layer: id, status, currentBytes: progressDetail?.current ?? null, totalBytes: progressDetail?.total ?? null };
}

async function* pullFrames(docker: Docker, reference: string, auth: { username: string; password: string; serveraddress: string } | undefined, signal: AbortSignal): AsyncGenerator<PullProgress> {
  const stream = await docker.pull(reference, { abortSignal: signal, ...(auth ? { authconfig: auth } : {}) });
  let digest: string | null = null;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const frame = toPullProgress(line);
    if (frame === null) continue;
    if (frame.kind === "status" && frame.status.startsWith("Digest: ")) digest = frame.status.slice("Digest: ".length).trim();
    yield frame;
  }
  const { Id } = parseDockerResponse(z.object({ Id: z.string() }), await docker.getImage(reference).inspect(), "image");
  yield { kind: "done", id: Id, digest };
}

export const pullImage: StreamHandler<"pullImage"> = async (params, ctx) => {
  const problem = imageReferenceProblem(params.reference);
  if (problem !== null) throw new AgentFailure("BAD_REQUEST", `${params.reference}: ${problem}`);
  // Docker answers a missing image or an unreachable registry before the first line: that stays the call's error.
  const frames = pullFrames(ctx.docker, params.reference, params.auth, ctx.signal);
  const first = await frames.next();
  ctx.log.info("image pull started", { image: params.reference });
  return {
    kind: "payloads",
    stream: Readable.from(
      (async function* replay() {
        if (!first.done) yield first.value;
        yield* frames;
      })(),
      { objectMode: true, highWaterMark: 16 },
    ),
  };
};
