import { mkdir } from "node:fs/promises";
import path from "node:path";

import { type ComposeAction, type ComposeProject, OWNER_LABELS, type ProjectOwner } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { Document, isMap, isScalar, parseAllDocuments } from "yaml";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { composeArgv, type ComposeCommand, composeEnv, type ComposeTarget, runCompose } from "../docker/compose";
import { AgentFailure } from "../failure";
import type { HandlerContext } from "../handlers/context";
import { dockerContainer } from "../handlers/list-containers";
import { type PreparedProject, prepareProject } from "./project";
import { agentDirs, projectDir, writeAtomically } from "./project-dir";

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
  const foreign = parseDockerResponse(z.array(dockerContainer), raw, "container list")
    .filter((container) => !ownedBy(container.Labels, owner))
    .map((container) => ({ name: (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, ""), labels: container.Labels }))
    // Code-unit order, as `sort()` gives: the message is the same whatever the locale.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const first = foreign[0];
  if (first === undefined) return;
  const names = foreign.slice(0, SHOWN_CONTAINERS).map((container) => container.name);
  const more = foreign.length > SHOWN_CONTAINERS ? ` and ${foreign.length - SHOWN_CONTAINERS} more` : "";
  throw new AgentFailure(
    "CONFLICT",
    `The compose project "${name}" on this host already has containers (${names.join(", ")}${more}) that belong to ${describeOwner(first.labels)}. ` +
      "Wharf will not touch them: rename this stack, or remove those containers from the host.",
  );
}

/**
 * What a compose action runs on: refuses a project that is not the caller's
 * before writing anything into its directory (another owner's files live
 * there), then writes the project; for `up` (the one action that creates
 * containers) the owner labels are added as a last `-f` file. Call under the
 * project lock.
 */
export async function prepareOwnedProject(ctx: HandlerContext, project: ComposeProject, action: ComposeAction): Promise<PreparedProject> {
  await assertProjectOwner(ctx.docker, project.name, project.owner, ctx.signal);
  const prepared = await prepareProject(ctx, project);
  if (action !== "up" || project.owner === undefined) return prepared;
  const { command, target } = prepared;
  const services = declaredServices(prepared.files) ?? (await composeServices(ctx, command, target));
  const file = path.join(projectDir(agentDirs(ctx.agent.socketPath).state, project.name), "owner.yaml");
  // With the agent's bookkeeping, outside the project directory: no stack can mount or rewrite it.
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeAtomically(file, renderOwnerOverride(services, project.owner));
  return { ...prepared, target: { ...target, files: [...target.files, file] } };
}

/** The override that puts the owner labels on every service of the project. */
export function renderOwnerOverride(services: string[], owner: ProjectOwner): string {
  const labels = { [OWNER_LABELS.installation]: owner.installation, [OWNER_LABELS.stack]: owner.stack };
  return new Document({ services: Object.fromEntries(services.map((service) => [service, { labels }])) }).toString();
}

/**
 * The service names the files declare (every YAML document of each), read
 * without running compose: v1 takes 1-2 s to start. Null when only compose
 * knows them: a file includes others, merges a map into services (<<), or
 * does not parse (compose then says why).
 */
export function declaredServices(files: { content: string }[]): string[] | null {
  const names = new Set<string>();
  for (const file of files) {
    for (const document of parseAllDocuments(file.content)) {
      if (document.errors.length > 0) return null;
      const root = document.contents;
      if (root === null) continue;
      if (!isMap(root)) return null;
      for (const item of root.items) {
        const key = isScalar(item.key) ? String(item.key.value) : null;
        if (key === "include" || key === "<<") return null;
        if (key !== "services" || item.value === null) continue;
        if (!isMap(item.value)) return null;
        for (const service of item.value.items) {
          const name = isScalar(service.key) ? String(service.key.value) : "<<";
          if (name === "<<") return null;
          names.add(name);
        }
      }
    }
  }
  return [...names];
}

async function composeServices(ctx: HandlerContext, command: ComposeCommand, target: ComposeTarget): Promise<string[]> {
  const run = await runCompose(composeArgv(command, target, ["config", "--services"]), { cwd: target.dir, env: composeEnv(ctx.env.childEnv), signal: ctx.signal });
  if (run.exitCode !== 0) {
    throw new AgentFailure("COMPOSE_INVALID", `compose config --services failed: ${run.stderr.trim() || `exit status ${run.exitCode ?? run.signal ?? "?"}`}`);
  }
  return run.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
