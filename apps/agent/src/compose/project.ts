import type { ComposeProject } from "@wharf/agent-protocol";

import { composeArgv, type ComposeCommand, composeCommand, composeEnv, type ComposeTarget, runCompose } from "../docker/compose";
import { AgentFailure } from "../failure";
import type { HandlerContext } from "../handlers/context";
import { composeInvalid, describeComposeProblem, type ProjectFileText } from "./config-errors";
import { renderDotenv } from "./dotenv";
import { type ComposeService, parseComposeModel } from "./model";
import { stacksRoot, writeProject } from "./project-dir";

/** A project written to disk, with the compose that will run it. */
export interface PreparedProject {
  command: ComposeCommand;
  target: ComposeTarget;
  files: ProjectFileText[];
}

/** Finds compose and writes the project's files (call under the project lock). */
export async function prepareProject(ctx: HandlerContext, project: ComposeProject): Promise<PreparedProject> {
  const command = await composeCommand(ctx.env.childEnv, ctx.signal);
  const dotenv = project.env === undefined ? undefined : renderDotenv(project.env, command.flavor);
  const layout = await writeProject(stacksRoot(ctx.agent.socketPath), project, dotenv);
  const sources = [...project.files, ...project.overrideFiles];
  const files = layout.composeFiles.map((absolute, i) => ({ absolute, relative: sources[i]?.path ?? absolute, content: sources[i]?.content ?? "" }));
  return { command, target: { name: project.name, dir: layout.dir, files: layout.composeFiles }, files };
}

export interface LoadedConfig {
  /** Exactly what `compose config` printed. */
  merged: string;
  services: ComposeService[];
}

/** `compose config` on a prepared project: the merged model, or COMPOSE_INVALID saying which file and line is wrong. */
export async function loadConfig(ctx: HandlerContext, prepared: PreparedProject): Promise<LoadedConfig> {
  const { command, target } = prepared;
  const run = await runCompose(composeArgv(command, target, ["config"]), {
    cwd: target.dir,
    env: composeEnv(ctx.env.childEnv),
    signal: ctx.signal,
  });
  if (run.exitCode === null) throw new AgentFailure("COMPOSE_FAILED", `compose config was killed by ${run.signal ?? "a signal"}`);
  if (run.exitCode !== 0) {
    if (run.stderr.trim() === "") throw new AgentFailure("COMPOSE_FAILED", `compose config failed with exit status ${run.exitCode} and no message`);
    throw composeInvalid(describeComposeProblem(run.stderr, prepared.files));
  }
  return { merged: run.stdout, services: parseComposeModel(run.stdout, target.dir) };
}
