import { mkdir } from "node:fs/promises";
import path from "node:path";

import { type ComposeAction, type ComposeProject, OWNER_LABELS, type ProjectOwner } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { Document } from "yaml";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { composeArgv, type ComposeCommand, composeEnv, type ComposeTarget, runCompose } from "../docker/compose";
import { AgentFailure } from "../failure";
import type { HandlerContext } from "../handlers/context";
import { dockerContainer } from "../handlers/list-containers";
import { writeAtomically } from "./project-dir";

const PROJECT_LABEL = "com.docker.compose.project";
const SHOWN_CONTAINERS = 3;

type Labels = Record<string, string> | null | undefined;

/**
 * Whether a container of the project is `owner`'s: it carries both of its labels,
 * or it carries no Wharf label at all and the owner adopts such containers (a
 * deploy from before the labels existed). Without an owner, only unlabelled
 * containers are the caller's.
 */
export function ownedBy(labels: Labels, owner: ProjectOwner | undefined): boolean {
  const installation = labels?.[OWNER_LABELS.installation];
  const stack = labels?.[OWNER_LABELS.stack];
  if (installation === undefined && stack === undefined) return owner === undefined || owner.adoptUnlabelled;
  return owner !== undefined && installation === owner.installation && stack === owner.stack;
}

/** How a refusal names a container's owner. */
function describeOwner(labels: Labels): string {
  const installation = labels?.[OWNER_LABELS.installation];
  const stack = labels?.[OWNER_LABELS.stack];
  if (installation === undefined && stack === undefined) return "no Wharf stack (they carry no dev.wharf labels: started by hand or by another tool)";
  return `stack ${stack ?? "?"} of Wharf installation ${installation ?? "?"}`;
}

/**
 * Refuses (CONFLICT) to act on a compose project whose containers, one-off ones
 * included, are not all `owner`'s: compose would otherwise stop, replace or
 * remove them (`up --remove-orphans`, `down`). Call under the project lock.
 */
export async function assertProjectOwner(docker: Docker, name: string, owner: ProjectOwner | undefined, signal: AbortSignal): Promise<void> {
  const raw = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] }, abortSignal: signal });
  const foreign = parseDockerResponse(z.array(dockerContainer), raw, "container list").filter((container) => !ownedBy(container.Labels, owner));
  const first = foreign[0];
  if (first === undefined) return;
  const names = foreign.slice(0, SHOWN_CONTAINERS).map((container) => (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, ""));
  const more = foreign.length > SHOWN_CONTAINERS ? ` and ${foreign.length - SHOWN_CONTAINERS} more` : "";
  throw new AgentFailure(
    "CONFLICT",
    `The compose project "${name}" on this host already has containers (${names.join(", ")}${more}) that belong to ${describeOwner(first.Labels)}. ` +
      "Wharf will not touch them: rename this stack, or remove those containers from the host.",
  );
}

/**
 * Before a compose action: refuses a project that is not the caller's, and for
 * `up` (the one action that creates containers) returns the target with the
 * owner labels added. Call under the project lock.
 */
export async function guardProject(
  ctx: HandlerContext,
  project: ComposeProject,
  action: ComposeAction,
  command: ComposeCommand,
  target: ComposeTarget,
): Promise<ComposeTarget> {
  await assertProjectOwner(ctx.docker, project.name, project.owner, ctx.signal);
  if (action !== "up" || project.owner === undefined) return target;
  return withOwnerLabels(command, target, project.owner, { socketPath: ctx.agent.socketPath, childEnv: ctx.env.childEnv, signal: ctx.signal });
}

/** `<agent data dir>/owners/<project>.yaml`: outside the project directory, so no stack can mount or rewrite it. */
function ownerFilePath(socketPath: string, name: string): string {
  return path.join(path.dirname(socketPath), "owners", `${name}.yaml`);
}

/** The override that puts the owner labels on every service of the project. */
export function renderOwnerOverride(services: string[], owner: ProjectOwner): string {
  const labels = { [OWNER_LABELS.installation]: owner.installation, [OWNER_LABELS.stack]: owner.stack };
  return new Document({ services: Object.fromEntries(services.map((service) => [service, { labels }])) }).toString();
}

/**
 * The compose target with the owner's labels added to every service, as a last
 * `-f` file: the services come from `compose config --services` on the project
 * as it will run (includes, extends and overlays resolved by compose itself).
 */
export async function withOwnerLabels(
  command: ComposeCommand,
  target: ComposeTarget,
  owner: ProjectOwner,
  options: { socketPath: string; childEnv: Record<string, string>; signal: AbortSignal },
): Promise<ComposeTarget> {
  const run = await runCompose(composeArgv(command, target, ["config", "--services"]), { cwd: target.dir, env: composeEnv(options.childEnv), signal: options.signal });
  if (run.exitCode !== 0) {
    throw new AgentFailure("COMPOSE_INVALID", `compose config --services failed: ${run.stderr.trim() || `exit status ${run.exitCode ?? run.signal ?? "?"}`}`);
  }
  const services = run.stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const file = ownerFilePath(options.socketPath, target.name);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeAtomically(file, renderOwnerOverride(services, owner));
  return { ...target, files: [...target.files, file] };
}
