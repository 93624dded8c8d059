import { cancelRun, runDir } from "../compose/run";
import type { CallHandler } from "./context";

export const composeCancel: CallHandler<"composeCancel"> = async (params, ctx) => {
  const cancelled = cancelRun(runDir(ctx.agent.socketPath, params.name, params.runId));
  if (cancelled) ctx.log.info("compose run cancelled", { project: params.name, run: params.runId });
  return Promise.resolve({ cancelled });
};
