import { pipeline, type Readable, Transform } from "node:stream";

import type { ComposeRunData, ComposeServiceImage } from "@wharf/agent-protocol";

import { prepareOwnedProject } from "../compose/ownership";
import { lockProject } from "../compose/project-lock";
import { followRun, liveRun, pruneRuns, runDir, startRun } from "../compose/run";
import { supervisorsFor } from "../compose/supervisors";
import { actionArgs, composeArgv, composeEnv } from "../docker/compose";
import { AgentFailure } from "../failure";
import { projectImages } from "./compose-image-digests";
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
    const supervisor = startRun(dir, argv, { supervisors: supervisorsFor(ctx), cwd: target.dir, env: composeEnv(ctx.env.childEnv), registryAuths: params.registryAuths });
    const followed = followRun(dir, 0);
    // Held until compose has exited and this stream has read its end (or its client left): a
    // removal waiting for the project must not delete the run's files under its follower.
    // Compose has exited once its supervisor did, or once the follower read the exit it recorded: the
    // follower wakes on that file at once, and the next job must not find the project held meanwhile.
    const exited = new Promise((resolve) => {
      supervisor.once("exit", resolve);
      followed.once("end", resolve);
    });
    const closed = new Promise((resolve) => followed.once("close", resolve));
    void Promise.all([exited, closed]).then(release);
    ctx.log.info("compose run", { project: name, action: params.action, run: params.runId, compose: command.flavor, supervisor: supervisor.pid });
    const owner = params.project.owner;
    const images = () => projectImages(ctx.docker, { name, ...(owner ? { owner } : {}) }, ctx.signal);
    return { kind: "payloads", stream: params.imageDigests && params.action === "up" ? withExitImages(followed, images) : followed };
  } catch (error) {
    release();
    throw error;
  }
};

/**
 * Adds the images the containers run to the exit frame of a run that
 * succeeded, read right after it: the control plane records them with the
 * deployment without another call. Left out when they cannot be read (the
 * control plane then asks composeImageDigests, which says why).
 */
function withExitImages(source: Readable, read: () => Promise<ComposeServiceImage[]>): Readable {
  const frames = new Transform({
    objectMode: true,
    transform(frame: ComposeRunData, _encoding, callback) {
      if (frame.kind !== "exit" || frame.exitCode !== 0) return callback(null, frame);
      read().then(
        (images) => callback(null, { ...frame, images }),
        () => callback(null, frame),
      );
    },
  });
  // Either side closing closes both: the follower's close releases the project.
  return pipeline(source, frames, () => undefined);
}
