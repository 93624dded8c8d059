import { z } from "zod";

/**
 * `hostUsage`: the machine's CPU, memory and the disk holding Docker's data
 * directory, and how much of that Docker's own objects take (`docker system df`).
 */
export const hostUsageParams = z.object({});
export const hostUsageResult = z.object({
  /** Milliseconds since the epoch. */
  at: z.number(),
  cpu: z.object({
    cores: z.number().int(),
    /** All cores busy = 100, over a short sampling window. */
    usedPercent: z.number(),
    loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  }),
  memory: z.object({ totalBytes: z.number(), availableBytes: z.number(), usedBytes: z.number() }),
  /** The filesystem holding the Docker data directory (null when the agent cannot read it). */
  disk: z.object({ path: z.string(), totalBytes: z.number(), usedBytes: z.number(), availableBytes: z.number() }).nullable(),
  docker: z.object({
    rootDir: z.string(),
    imagesBytes: z.number(),
    containersBytes: z.number(),
    volumesBytes: z.number(),
    buildCacheBytes: z.number(),
    /** The sum of the above: what Docker's data directory holds, as Docker counts it. */
    totalBytes: z.number(),
  }),
});
export type HostUsage = z.infer<typeof hostUsageResult>;
