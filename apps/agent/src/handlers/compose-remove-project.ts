import { agentDirs, removeProject } from "../compose/project-dir";
import { withProjectLock } from "../compose/project-lock";
import type { CallHandler } from "./context";

export const composeRemoveProject: CallHandler<"composeRemoveProject"> = (params, ctx) =>
  withProjectLock(params.name, "a removal of its directory", { waitMs: ctx.env.lockWaitMs, signal: ctx.signal }, async () => {
    const removed = await removeProject(agentDirs(ctx.agent.socketPath), params.name);
    ctx.log.info("project removed", { project: params.name, removed });
    return { removed };
  });
