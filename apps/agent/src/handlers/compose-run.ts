import { prepareOwnedProject } from "../compose/ownership";
import { lockProject } from "../compose/project-lock";
import { followRun, liveRun, pruneRuns, runDir, startRun } from "../compose/run";
import { actionArgs, composeArgv, composeEnv } from "../docker/compose";
import { AgentFailure } from "../failure";
import { selfCommand } from "../self";
import type { StreamHandler } from "./context";

/**
 * Holds the project from writing its files until compose has exited, also
 * after a cancel. Compose runs under a detached supervisor; the stream follows
 * its output, and closing it leaves compose running.
 */
export const composeRun: StreamHandler<"composeRun"> = async (params, ctx) => {
  const name = params.project.name;
  const release = await lockProject(name, `compose ${params.action}`, { waitMs: ctx.env.lockWaitMs, signal: ctx.signal });
  try {
    // A run started by a previous agent process holds the project too.
    const live = await liveRun(ctx.agent.socketPath, name);
    if (live !== null) throw new AgentFailure("CONFLICT", `stack ${name} is busy: compose run ${live} is still running on this host; try again when it has finished`);
    await pruneRuns(ctx.agent.socketPath, name);
    const { command, target } = await prepareOwnedProject(ctx, params.project, params.action);
    const argv = composeArgv(command, target, actionArgs(params.action, params.options));
    const dir = runDir(ctx.agent.socketPath, name, params.runId);
    const supervisor = startRun(dir, argv, { command: selfCommand([]), cwd: target.dir, env: composeEnv(ctx.env.childEnv) });
    const stream = followRun(dir, 0);
    // Held until compose has exited and this stream has read its end (or its client left): a
    // removal waiting for the project must not delete the run's files under its follower.
    const exited = new Promise((resolve) => supervisor.once("exit", resolve));
    const followed = new Promise((resolve) => stream.once("close", resolve));
    void Promise.all([exited, followed]).then(release);
    ctx.log.info("compose run", { project: name, action: params.action, run: params.runId, compose: command.flavor, supervisor: supervisor.pid });
    return { kind: "payloads", stream };
  } catch (error) {
    release();
    throw error;
  }
};
