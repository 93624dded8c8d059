import { z } from "zod";

import { composeProjectName, composeServiceName, projectOwner } from "./compose-project";

/** An RFC 3339 time, or a duration before now: "90s", "15m", "2h", "1h30m". */
export const logSince = z
  .string()
  .regex(
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})|(\d+h)?(\d+m)?(\d+s)?)$/,
    "since is an RFC 3339 time (2024-05-01T10:00:00Z) or a duration (90s, 15m, 2h, 1h30m)",
  )
  .refine((value) => value !== "", "since must not be empty");

/**
 * `composeLogs` (stream): the logs of the project's containers, all services
 * interleaved in arrival order, like `compose logs --timestamps`. With
 * `follow`, containers that start later (a redeploy, a restart) are picked up
 * too, and the stream lasts until the client closes it.
 */
export const composeLogsParams = z.object({
  name: composeProjectName,
  /** Only this owner's containers (see composeProjectRef). */
  owner: projectOwner.optional(),
  /** Only these services; all when absent. */
  services: z.array(composeServiceName).max(100).optional(),
  /** Lines per container from the end of its log. */
  tail: z.union([z.number().int().nonnegative(), z.literal("all")]).default("all"),
  since: logSince.optional(),
  follow: z.boolean().default(false),
});
export type ComposeLogsParams = z.input<typeof composeLogsParams>;

export const MAX_LOG_LINE = 16 * 1024;
export const MAX_LOG_BATCH_LINES = 1000;

export const composeLogLine = z.object({
  stream: z.enum(["stdout", "stderr"]),
  /** Docker's timestamp of the line (RFC 3339 with nanoseconds). */
  at: z.string(),
  /** Without its newline; longer lines are split every MAX_LOG_LINE characters. */
  line: z.string(),
});
export type ComposeLogLine = z.infer<typeof composeLogLine>;

/**
 * One `data` frame: consecutive lines of one container, 1..MAX_LOG_BATCH_LINES.
 * Batches of different containers interleave as they arrive, so a control
 * plane can forward frames as they are without re-splitting them.
 */
export const composeLogBatch = z.object({
  service: z.string(),
  container: z.string(),
  containerId: z.string(),
  lines: z.array(composeLogLine).min(1).max(MAX_LOG_BATCH_LINES),
});
export type ComposeLogBatch = z.infer<typeof composeLogBatch>;
