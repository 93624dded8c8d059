import type { ComposeProject } from "@wharf/agent-protocol";

import { composeArgv, type ComposeCommand, composeCommand, composeEnv, type ComposeTarget, runCompose } from "../docker/compose";
import { AgentFailure } from "../failure";
import type { HandlerContext } from "../handlers/context";
import { composeInvalid, describeComposeProblem, type ProjectFileText } from "./config-errors";
import { renderDotenv } from "./dotenv";
import { type ComposeService, parseComposeModel } from "./model";
import { agentDirs, type ProjectContent, projectContent, type ProjectLayout, withScratchProject, writeProject } from "./project-dir";

/** A project written to disk, with the compose that will run it. */
export interface PreparedProject {
  command: ComposeCommand;
  target: ComposeTarget;
  /** The compose files as users name them, with their live paths (as compose errors are reported). */
  files: ProjectFileText[];
  /** The live project directory. */
  liveDir: string;
  /** Maps paths in compose's output back to the live directory. */
  toLive: (text: string) => string;
}

async function resolveContent(ctx: HandlerContext, project: ComposeProject): Promise<{ command: ComposeCommand; content: ProjectContent }> {
  const command = await composeCommand(ctx.env.childEnv, ctx.signal);
  const dotenv = project.env === undefined ? undefined : renderDotenv(project.env, command.flavor);
  return { command, content: projectContent(project, dotenv) };
}

function prepared(project: ComposeProject, command: ComposeCommand, content: ProjectContent, layout: ProjectLayout, liveDir: string, toLive: (text: string) => string): PreparedProject {
  const files = content.composeFiles.map((relative, i) => ({
    absolute: toLive(layout.composeFiles[i] ?? relative),
    relative,
    content: content.files.get(relative) ?? "",
  }));
  return { command, target: { name: project.name, dir: layout.dir, files: layout.composeFiles }, files, liveDir, toLive };
}

/** Finds compose and writes the project's files into its live directory: for jobs only, under the project lock. */
export async function prepareProject(ctx: HandlerContext, project: ComposeProject): Promise<PreparedProject> {
  const { command, content } = await resolveContent(ctx, project);
  const layout = await writeProject(agentDirs(ctx.agent.socketPath), project.name, content);
  return prepared(project, command, content, layout, layout.dir, (text) => text);
}

/**
 * Finds compose and writes the project into a scratch directory made for this
 * call, for checks that must leave the host as it was; the directory is
 * removed when `work` ends, however it ends. Takes no lock.
 */
export async function withCheckedProject<T>(ctx: HandlerContext, project: ComposeProject, work: (prepared: PreparedProject) => Promise<T>): Promise<T> {
  const { command, content } = await resolveContent(ctx, project);
  return withScratchProject(agentDirs(ctx.agent.socketPath), project.name, content, (scratch) =>
    work(prepared(project, command, content, scratch, scratch.liveDir, scratch.toLive)),
  );
}

export interface LoadedConfig {
  /** What `compose config` printed, with the live project directory in its paths. */
  merged: string;
  /** Read from the copy compose ran on: build contexts point at the files this project would write. */
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
    throw composeInvalid(describeComposeProblem(prepared.toLive(run.stderr), prepared.files));
  }
  return { merged: prepared.toLive(run.stdout), services: parseComposeModel(run.stdout, target.dir) };
}
