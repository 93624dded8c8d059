import { followRun, runDir, runState } from "../compose/run";
import { AgentFailure } from "../failure";
import type { StreamHandler } from "./context";

/** Follows a run again (e.g. after the agent restarted), from the line the client got to. */
export const composeAttach: StreamHandler<"composeAttach"> = async (params, ctx) => {
  const dir = runDir(ctx.agent.socketPath, params.name, params.runId);
  if ((await runState(dir)) === "missing") {
    throw new AgentFailure("NOT_FOUND", `this host has no record of compose run ${params.runId} of stack ${params.name} (its files were removed)`);
  }
  return { kind: "payloads", stream: followRun(dir, params.fromLine) };
};
