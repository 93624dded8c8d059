import { z } from "zod";

import { logSince } from "./compose-logs";

/** A container's id (full or a prefix) or its name, as Docker accepts either; nothing that could read as a path or an option. */
export const containerRef = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a container is named by its id or its name: 1-128 characters of a-z, A-Z, 0-9, _, . and -, starting with a letter or digit");

export const CONTAINER_ACTIONS = ["start", "stop", "restart", "kill", "pause", "unpause"] as const;
export const containerActionName = z.enum(CONTAINER_ACTIONS);
export type ContainerActionName = z.infer<typeof containerActionName>;

/**
 * `containerAction`: one lifecycle action on any container of the host (Wharf's
 * or not). NOT_FOUND when it no longer exists, CONFLICT when its state does not
 * allow the action (Docker's own message is kept).
 */
export const containerActionParams = z.object({
  id: containerRef,
  action: containerActionName,
  /** stop/restart: seconds before SIGKILL; Docker's default (or the container's own) when absent. Bounded so the call answers within the agent's 30 s. */
  timeoutSeconds: z.number().int().min(0).max(25, "give a container at most 25 s to stop (use kill for anything slower)").optional(),
  /** kill: the signal to send; SIGKILL when absent. */
  signal: z
    .string()
    .regex(/^(SIG)?[A-Z0-9+-]{1,12}$|^[0-9]{1,2}$/, "a signal is a name such as SIGTERM or HUP, or its number")
    .optional(),
});
export type ContainerActionParams = z.input<typeof containerActionParams>;

/** The container as it is once the action returned. */
export const containerActionResult = z.object({ id: z.string(), name: z.string(), state: z.string() });
export type ContainerActionResult = z.infer<typeof containerActionResult>;

/** `removeContainer`: `force` removes a running one (killing it); `volumes` also removes its anonymous volumes (named ones stay). */
export const removeContainerParams = z.object({
  id: containerRef,
  force: z.boolean().default(false),
  volumes: z.boolean().default(false),
});
export type RemoveContainerParams = z.input<typeof removeContainerParams>;

export const removeContainerResult = z.object({
  id: z.string(),
  name: z.string(),
  /** Anonymous volumes removed with it (only with `volumes`). */
  removedVolumes: z.array(z.string()),
});
export type RemoveContainerResult = z.infer<typeof removeContainerResult>;

/**
 * `containerLogs` (stream): one container's log, the same batches as
 * composeLogs (service is its compose service, or empty). With `follow`, a
 * restart of the container is followed too.
 */
export const containerLogsParams = z.object({
  id: containerRef,
  tail: z.union([z.number().int().nonnegative(), z.literal("all")]).default("all"),
  since: logSince.optional(),
  follow: z.boolean().default(false),
});
export type ContainerLogsParams = z.input<typeof containerLogsParams>;
