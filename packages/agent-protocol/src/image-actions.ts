import { z } from "zod";

import { pruneVolumesParams } from "./volume-actions";

/**
 * An image as Docker's API names it: an id (`sha256:` + hex, or a prefix of
 * 12+ hex digits) or a `name[:tag][@digest]` reference. Only the characters
 * those forms use, so nothing reads as a path or an option; the agent checks
 * a pulled reference against Docker's full grammar again.
 */
export const imageRef = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._/:@-]*$/, "an image is an id (sha256:…) or a reference such as busybox:1.36 or registry.example.com/team/app@sha256:…")
  .refine((value) => !value.includes(".."), "an image reference has no '..'");

/** `inspectImage`: one image's metadata, its history (newest instruction first, as `docker history`) and which layers other images on the host share. */
export const inspectImageParams = z.object({ image: imageRef });
export const imageHistoryEntry = z.object({
  /** The instruction as Docker recorded it (`/bin/sh -c #(nop)  CMD ["sh"]`, `RUN …`). */
  createdBy: z.string(),
  createdAt: z.string().nullable(),
  sizeBytes: z.number(),
  /** True for instructions that only change metadata (ENV, CMD, LABEL…): no filesystem layer. */
  emptyLayer: z.boolean(),
  comment: z.string(),
  /** The filesystem layer (RootFS diff id) this instruction made; null for empty layers or when the history and the layers do not line up. */
  layer: z.string().nullable(),
  /** Other images on this host holding this same layer (same diff id on the same stack of layers below it). */
  sharedWith: z.array(z.object({ id: z.string(), repoTags: z.array(z.string()) })),
});
export type ImageHistoryEntry = z.infer<typeof imageHistoryEntry>;
export const inspectImageResult = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string(),
  architecture: z.string(),
  os: z.string(),
  /** RootFS diff ids, base layer first. */
  layers: z.array(z.string()),
  history: z.array(imageHistoryEntry),
  containers: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type InspectImageResult = z.infer<typeof inspectImageResult>;

/** `removeImage`: CONFLICT, naming the containers, while any container (running or not) uses it. A reference removes that tag (the image goes with its last one); an id removes the image. */
export const removeImageParams = z.object({ image: imageRef });
export const removeImageResult = z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) });
export type RemoveImageResult = z.infer<typeof removeImageResult>;

/**
 * `pruneImages`: "dangling" removes untagged images nothing builds on (`docker image prune`),
 * "unused" every image no container uses (`docker image prune -a`). `dryRun` computes
 * what would go, and the bytes of the layers no remaining image holds, from the image list.
 */
export const pruneImagesParams = z.object({
  scope: z.enum(["dangling", "unused"]),
  dryRun: z.boolean().default(false),
  /** Only images carrying this label ("key" or "key=value"), as Docker's prune filter takes it. */
  label: pruneVolumesParams.shape.label,
});
export const pruneImagesResult = z.object({
  images: z.array(z.object({ id: z.string(), repoTags: z.array(z.string()), sizeBytes: z.number() })),
  /** For a dry run, the layers only those images hold; else what Docker says it reclaimed. */
  spaceReclaimedBytes: z.number(),
});
export type PruneImagesResult = z.infer<typeof pruneImagesResult>;

/** `pullImage` (stream): Docker's progress, one frame per layer update. */
export const pullImageParams = z.object({
  reference: imageRef,
  /** Registry credentials for this pull only, as the Engine API's X-Registry-Auth takes them; never stored on the host. */
  auth: z.object({ username: z.string().max(512), password: z.string().max(8192), serveraddress: z.string().max(512) }).optional(),
});
export const pullProgress = z.discriminatedUnion("kind", [
  /** One layer's state: "Pulling fs layer", "Downloading", "Extracting", "Pull complete", "Already exists"… */
  z.object({ kind: z.literal("layer"), layer: z.string(), status: z.string(), currentBytes: z.number().nullable(), totalBytes: z.number().nullable() }),
  /** A line about the whole pull ("Pulling from library/busybox", "Digest: …", "Status: …"). */
  z.object({ kind: z.literal("status"), status: z.string() }),
  /** The last frame: what the reference now points at. */
  z.object({ kind: z.literal("done"), id: z.string(), digest: z.string().nullable() }),
]);
export type PullProgress = z.infer<typeof pullProgress>;
