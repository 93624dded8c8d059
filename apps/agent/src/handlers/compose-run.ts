import { prepareProject } from "../compose/project";
import { lockProject } from "../compose/project-lock";
import { composeRunStream } from "../compose/run";
import { actionArgs, composeArgv, composeEnv } from "../docker/compose";
import type { StreamHandler } from "./context";

/** Holds the project from writing its files until compose has exited, also after a cancel. */
export const composeRun: StreamHandler<"composeRun"> = async (params, ctx) => {
  const release = await lockProject(params.project.name, `compose ${params.action}`, { waitMs: ctx.env.lockWaitMs, signal: ctx.signal });
  try {
    const { command, target } = await prepareProject(ctx, params.project);
    const argv = composeArgv(command, target, actionArgs(params.action, params.options));
    const stream = composeRunStream(argv, { cwd: target.dir, env: composeEnv(ctx.env.childEnv), onExit: release });
    ctx.log.info("compose run", { project: params.project.name, action: params.action, compose: command.flavor });
    return { kind: "payloads", stream };
  } catch (error) {
    release();
    throw error;
  }
};
