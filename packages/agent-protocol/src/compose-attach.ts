import { z } from "zod";

import { composeProjectName } from "./compose-project";
import { composeRunId } from "./compose-run";

/**
 * `composeAttach` (stream): follows a compose run started by `composeRun`,
 * live or finished, from its `fromLine`-th output line (0-based; lines are
 * numbered as composeRun sent them), to its exit frame. NOT_FOUND when the
 * host has no record of the run, COMPOSE_FAILED when compose was lost without
 * an exit status (e.g. the host rebooted).
 */
export const composeAttachParams = z.object({
  name: composeProjectName,
  runId: composeRunId,
  fromLine: z.number().int().min(0),
});
export type ComposeAttachParams = z.infer<typeof composeAttachParams>;
