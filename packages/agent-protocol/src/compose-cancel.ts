import { z } from "zod";

import { composeProjectName } from "./compose-project";
import { composeRunId } from "./compose-run";

/**
 * `composeCancel`: stops a compose run (SIGTERM to compose, SIGKILL after a
 * grace period). Its stream then ends with an exit frame naming the signal.
 */
export const composeCancelParams = z.object({ name: composeProjectName, runId: composeRunId });

/** `cancelled` is false when the run had already finished (or never existed on this host). */
export const composeCancelResult = z.object({ cancelled: z.boolean() });
export type ComposeCancelResult = z.infer<typeof composeCancelResult>;
