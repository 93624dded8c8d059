import {
  type ContainerActionName,
  containerActionName,
  containerActionParams,
  type ContainerDetail,
  containerRef,
  logSince,
  OWNER_LABELS,
} from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { Redactor } from "../lib/redact";
import { type Actor, recordAudit } from "./audit";
import { deployedState } from "./deployed-state";
import { callAgent, openAgentStream } from "./hosts";
import { forwardLogBatches, type LogEvent, logWindow } from "./stack-logs";
import { openSecrets } from "./stack-project";

const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";

export const containerInput = z.object({ containerId: containerRef });

export const containerActionInput = z.object({
  containerId: containerRef,
  action: containerActionName,
  timeoutSeconds: containerActionParams.shape.timeoutSeconds,
});
export type ContainerActionInput = z.infer<typeof containerActionInput>;

export const removeContainerInput = z.object({
  containerId: containerRef,
  /** Removes a running container too (Docker kills it first). */
  force: z.boolean().default(false),
  /** Also its anonymous volumes; named volumes always stay. */
  volumes: z.boolean().default(false),
});
export type RemoveContainerInput = z.infer<typeof removeContainerInput>;

export const bulkContainerActionInput = z.object({
  containerIds: z.array(containerRef).min(1, "Select at least one container.").max(200),
  action: z.union([containerActionName, z.literal("remove")]),
  force: z.boolean().default(false),
  volumes: z.boolean().default(false),
});
export type BulkContainerActionInput = z.infer<typeof bulkContainerActionInput>;

const PAST: Record<ContainerActionName | "remove", string> = {
  start: "Started",
  stop: "Stopped",
  restart: "Restarted",
  kill: "Killed",
  pause: "Paused",
  unpause: "Unpaused",
  remove: "Removed",
};

async function audit(deps: WharfDeps, host: Host, actor: Actor, action: string, containerId: string, summary: string, data?: Record<string, string | boolean | string[]>): Promise<void> {
  await recordAudit(deps.db, { teamId: host.teamId, actor, action: `container.${action}`, targetType: "container", targetId: containerId, summary, ...(data ? { data } : {}) });
}

export async function runContainerAction(deps: WharfDeps, host: Host, actor: Actor, input: ContainerActionInput) {
  const result = await callAgent(deps, host, "containerAction", {
    id: input.containerId,
    action: input.action,
    ...(input.timeoutSeconds === undefined ? {} : { timeoutSeconds: input.timeoutSeconds }),
  });
  await audit(deps, host, actor, input.action, result.id, `${PAST[input.action]} container ${result.name} on ${host.name}`);
  return result;
}

export async function removeContainer(deps: WharfDeps, host: Host, actor: Actor, input: RemoveContainerInput) {
  const result = await callAgent(deps, host, "removeContainer", { id: input.containerId, force: input.force, volumes: input.volumes });
  const volumes = result.removedVolumes.length > 0 ? ` and ${result.removedVolumes.length} anonymous volume${result.removedVolumes.length === 1 ? "" : "s"}` : "";
  await audit(deps, host, actor, "remove", result.id, `Removed container ${result.name}${volumes} on ${host.name}`, {
    force: input.force,
    volumes: input.volumes,
    removedVolumes: result.removedVolumes,
  });
  return result;
}

export type BulkOutcome = { containerId: string; ok: true; name: string; state: string } | { containerId: string; ok: false; error: string; reason: string | null };

/** Each container on its own: one failing (gone, wrong state) does not stop the others; every outcome is reported. */
export async function runBulkContainerAction(deps: WharfDeps, host: Host, actor: Actor, input: BulkContainerActionInput): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const containerId of new Set(input.containerIds)) {
    try {
      const done =
        input.action === "remove"
          ? { ...(await removeContainer(deps, host, actor, { containerId, force: input.force, volumes: input.volumes })), state: "removed" }
          : await runContainerAction(deps, host, actor, { containerId, action: input.action });
      outcomes.push({ containerId, ok: true, name: done.name, state: done.state });
    } catch (error) {
      if (!(error instanceof WharfError) || error.code === "INTERNAL") throw error;
      outcomes.push({ containerId, ok: false, error: error.message, reason: error.reason ?? null });
    }
  }
  return outcomes;
}

export interface EnvVariable {
  name: string;
  /** Null until revealed, and always for a stack's secret. */
  value: string | null;
  /** A secret variable of the Wharf stack the container belongs to: its value is never sent. */
  secret: boolean;
}

interface OwningStack {
  id: string;
  name: string;
  /** Names declared secret in any revision, and the deployed revision's values (null when they cannot be decrypted). */
  secretNames: ReadonlySet<string>;
  redactor: Redactor | null;
}

/** The team's stack a container belongs to: by Wharf's owner label, else (containers deployed before labels) by compose project name. */
async function owningStack(deps: WharfDeps, host: Host, labels: Record<string, string>): Promise<OwningStack | null> {
  const labelled = labels[OWNER_LABELS.stack];
  const project = labels[COMPOSE_PROJECT_LABEL];
  const where = labelled ? { id: labelled } : project ? { name: project } : null;
  if (!where) return null;
  const stack = await deps.db.stack.findFirst({
    where: { ...where, teamId: host.teamId },
    select: { id: true, name: true, revisions: { select: { secretNames: true } } },
  });
  if (!stack) return null;
  const secretNames = new Set(stack.revisions.flatMap((revision) => revision.secretNames));
  const deployed = await deployedState(deps.db, stack.id, host.id);
  let redactor: Redactor | null = new Redactor([]);
  if (deployed) {
    const row = await deps.db.stackRevision.findUnique({ where: { id: deployed.revisionId }, select: { secretsEnc: true } });
    try {
      redactor = new Redactor(Object.values(openSecrets(deps, row?.secretsEnc ?? null)));
    } catch {
      // Values that cannot be decrypted cannot be recognised: every value is then treated as secret.
      redactor = null;
    }
  }
  return { id: stack.id, name: stack.name, secretNames, redactor };
}

function isSecret(stack: OwningStack | null, name: string, value: string): boolean {
  if (!stack) return false;
  if (stack.secretNames.has(name) || stack.redactor === null) return true;
  return stack.redactor.text(value) !== value;
}

export type ContainerView = Omit<ContainerDetail, "env"> & {
  env: EnvVariable[];
  compose: { project: string; service: string | null } | null;
  stack: { id: string; name: string } | null;
};

/** The container page: inspect, with environment values withheld (see revealContainerEnv) and the stack it belongs to. */
export async function getContainer(deps: WharfDeps, host: Host, containerId: string): Promise<ContainerView> {
  const detail = await callAgent(deps, host, "inspectContainer", { id: containerId });
  const stack = await owningStack(deps, host, detail.labels);
  const project = detail.labels[COMPOSE_PROJECT_LABEL];
  return {
    ...detail,
    env: detail.env.map((entry) => ({ name: entry.name, value: null, secret: isSecret(stack, entry.name, entry.value) })),
    compose: project ? { project, service: detail.labels[COMPOSE_SERVICE_LABEL] ?? null } : null,
    stack: stack ? { id: stack.id, name: stack.name } : null,
  };
}

/** The environment's values, audited; a stack's secrets stay hidden whoever asks. */
export async function revealContainerEnv(deps: WharfDeps, host: Host, actor: Actor, containerId: string): Promise<EnvVariable[]> {
  const detail = await callAgent(deps, host, "inspectContainer", { id: containerId });
  const stack = await owningStack(deps, host, detail.labels);
  const env = detail.env.map((entry) => {
    const secret = isSecret(stack, entry.name, entry.value);
    return { name: entry.name, value: secret ? null : entry.value, secret };
  });
  await audit(deps, host, actor, "reveal-env", detail.id, `Revealed the environment of container ${detail.name.replace(/^\//, "")} on ${host.name}`);
  return env;
}

export const containerLogsInput = z.object({
  containerId: containerRef,
  tail: z.union([z.number().int().min(0).max(100_000), z.literal("all")]).default(200),
  since: logSince.optional(),
  follow: z.boolean().default(true),
  /** Sent back by a reconnecting client (the id of the last event it got): the stream resumes after it. */
  lastEventId: z.string().max(64 * 1024).nullish(),
});
export type ContainerLogsInput = z.infer<typeof containerLogsInput>;

/** One container's log as the stack log view reads it (same events, same resume). */
export async function openContainerLogs(deps: WharfDeps, host: Host, input: ContainerLogsInput, signal?: AbortSignal): Promise<AsyncGenerator<LogEvent, void, undefined>> {
  const { resumed, window } = logWindow(input);
  const frames = await openAgentStream(deps, host, "containerLogs", { id: input.containerId, ...window, follow: input.follow }, signal ? { signal } : {});
  return forwardLogBatches(frames, resumed);
}
