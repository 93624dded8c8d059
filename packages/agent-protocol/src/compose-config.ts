import { z } from "zod";

import { composeProject } from "./compose-project";

/** Which compose the host ran: "v2" is `docker compose`, "v1" is `docker-compose`. */
export const composeRunner = z.object({
  flavor: z.enum(["v2", "v1"]),
  version: z.string(),
});
export type ComposeRunner = z.infer<typeof composeRunner>;

/**
 * `composeConfig`: runs `compose config` on the project, written to a scratch
 * directory made for the call (the live project directory is not touched).
 * An invalid project fails with COMPOSE_INVALID, its `details` naming the file
 * and line when they are known.
 */
export const composeConfigParams = z.object({ project: composeProject });
export const composeConfigResult = z.object({
  /** Exactly what `compose config` printed (YAML). */
  merged: z.string(),
  /** Service names, sorted. */
  services: z.array(z.string()),
  /** Distinct `image:` references of the services, sorted; services that only build have none. */
  images: z.array(z.string()),
  compose: composeRunner,
});
export type ComposeConfigResult = z.infer<typeof composeConfigResult>;
