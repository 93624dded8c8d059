import { z } from "zod";

export const listImagesParams = z.object({});
export const imageSummary = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string(),
  containers: z.number().int(),
  /** Names of the containers (running or not) using it; older agents send none. */
  containerNames: z.array(z.string()).default([]),
  /**
   * Untagged images: "dangling" when nothing builds on them (what `docker image prune` removes),
   * "intermediate" when they are a layer of another image (listed by `docker images -a`, counted by `docker info`).
   * Null for tagged images. Older agents list neither kind and send nothing.
   */
  untagged: z.enum(["dangling", "intermediate"]).nullable().default(null),
});
export type ImageSummary = z.infer<typeof imageSummary>;
export const listImagesResult = z.array(imageSummary);
