import { z } from "zod";

import { composeProjectRef } from "./compose-project";
import { containerPort } from "./containers";

/** `composePs`: the project's containers (found by compose's project label, so v1 and v2 alike), grouped by service. */
export const composePsParams = composeProjectRef;

export const composeContainer = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string(),
  /** Docker's state: created, running, paused, restarting, removing, exited, dead. */
  state: z.string(),
  /** Docker's one-line status, e.g. "Up 2 minutes (healthy)". */
  status: z.string(),
  /** "starting", "healthy" or "unhealthy"; null without a healthcheck. */
  health: z.string().nullable(),
  /** Of the last exit; null while running or before it ever exited. */
  exitCode: z.number().int().nullable(),
  restartCount: z.number().int(),
  ports: z.array(containerPort),
  /** As the service asked for it, e.g. "busybox:latest". */
  image: z.string(),
  imageId: z.string(),
  /** A RepoDigest of the image ("repo@sha256:..."); null for images built or loaded locally. */
  imageDigest: z.string().nullable(),
  createdAt: z.string(),
  /** Null until first started. */
  startedAt: z.string().nullable(),
});
export type ComposeContainer = z.infer<typeof composeContainer>;

export const composeServiceStatus = z.object({
  service: z.string(),
  containers: z.array(composeContainer),
});
export type ComposeServiceStatus = z.infer<typeof composeServiceStatus>;

/** Services sorted by name, their containers by name; services without containers are absent. */
export const composePsResult = z.object({ services: z.array(composeServiceStatus) });
export type ComposePsResult = z.infer<typeof composePsResult>;
