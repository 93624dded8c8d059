import { z } from "zod";

import { composeProjectRef } from "./compose-project";

/** `containerStats`: one sample of CPU and memory for each running container of a project. */
export const containerStatsParams = composeProjectRef;

export const containerStatsEntry = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string(),
  /** As `docker stats` shows it: 100 is one full CPU. */
  cpuPercent: z.number(),
  /** Usage without the reclaimable page cache, as `docker stats` shows it. */
  memoryUsageBytes: z.number(),
  /** The container's limit, or the host's memory without one. */
  memoryLimitBytes: z.number(),
  /** When Docker took the sample (ISO 8601). */
  at: z.string(),
});
export type ContainerStatsEntry = z.infer<typeof containerStatsEntry>;

export const containerStatsResult = z.object({ containers: z.array(containerStatsEntry) });
export type ContainerStatsResult = z.infer<typeof containerStatsResult>;
