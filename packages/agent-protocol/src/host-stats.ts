import { z } from "zod";

/**
 * `hostStats` (stream): every `intervalSeconds`, one sample of every running
 * container of the host (as `docker stats` computes CPU and memory), plus
 * cumulative network and block I/O counters, which the viewer turns into rates.
 */
export const hostStatsParams = z.object({ intervalSeconds: z.number().int().min(1).max(60).default(2) });

export const liveContainerStats = z.object({
  id: z.string(),
  name: z.string(),
  cpuPercent: z.number(),
  memoryUsageBytes: z.number(),
  memoryLimitBytes: z.number(),
  /** Since the container started. */
  networkRxBytes: z.number(),
  networkTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
});
export type LiveContainerStats = z.infer<typeof liveContainerStats>;

export const hostStatsSample = z.object({
  /** Milliseconds since the epoch. */
  at: z.number(),
  containers: z.array(liveContainerStats),
});
export type HostStatsSample = z.infer<typeof hostStatsSample>;
