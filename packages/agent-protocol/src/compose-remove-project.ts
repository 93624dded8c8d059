import { z } from "zod";

import { composeProjectRef } from "./compose-project";

/**
 * `composeRemoveProject`: removes the project's directory on the host (its
 * files and `.env`) and the agent's bookkeeping for it. It does not touch
 * containers, networks or volumes: take the project down first. Waits for a
 * running job on the project like composeRun does (CONFLICT when it does not end).
 */
export const composeRemoveProjectParams = composeProjectRef;
export const composeRemoveProjectResult = z.object({
  /** False when there was nothing to remove. */
  removed: z.boolean(),
});
export type ComposeRemoveProjectResult = z.infer<typeof composeRemoveProjectResult>;

/**
 * How long the agent waits for a project held by a running job before it
 * answers CONFLICT (composeRun, composeRemoveProject).
 */
export const PROJECT_LOCK_WAIT_MS = 30_000;
/** How long a client allows such a call to answer (or a stream to open): the wait, then the work. */
export const PROJECT_CALL_TIMEOUT_MS = PROJECT_LOCK_WAIT_MS + 15_000;
