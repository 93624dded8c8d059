import { formatSize, MAX_ENV_VARIABLES, MAX_OVERRIDE_FILE_BYTES, wireBytes } from "@wharf/agent-protocol";
import {
  type DeploymentAction,
  type DeploymentStatus,
  type Host,
  Prisma,
  stackRevisionPublicSelect,
  stackRevisionSummarySelect,
} from "@wharf/db";
import { createTwoFilesPatch } from "diff";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { invalidInput, notFound, type Problem, WharfError } from "../errors";
import { checkEnvKeys, checkOverlay, checkStackFiles, envEntry, envKey, envValue, stackFiles } from "../lib/compose-files";
import { type ServiceLimits, stackLimits } from "../lib/limits-override";
import { type Actor, recordAudit } from "./audit";
import { type Deployed, deployedStates } from "./deployed-state";
import { assertSaveWithinGuardrails } from "./guardrails";
import { stacksByHost } from "./host-stacks";
import { callAgent, findHostForTeam } from "./hosts";
import { cleanUpHosts } from "./project-cleanup";
import { hostsWithStack } from "./stack-presence";
import { buildProject, openSecrets, publicContent, redactorFor, type RevisionContent, revisionContent, revisionTreeSelect, sealSecrets, sendableProblems } from "./stack-project";
import { ensureTreeOnHost, readTreeFile, resolveTree, type RevisionTree, storedTree, TREE_LIMITS, treeInput, writeTree } from "./stack-tree";

/** Also the compose project name on every host, so it follows DNS label rules (and compose's). */
export const stackName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "Use lowercase letters, digits and dashes (like a DNS label), e.g. shop or billing-api.");

const overlayText = z
  .string()
  .refine((text) => wireBytes(text) <= MAX_OVERRIDE_FILE_BYTES, `an overlay may take at most ${formatSize(MAX_OVERRIDE_FILE_BYTES)} once encoded`)
  .nullable();
const targetInput = z.object({ hostId: z.string().min(1), overlay: overlayText.default(null) });

const revisionFields = {
  message: z.string().trim().max(500).default(""),
  files: stackFiles,
  env: z.array(envEntry).max(MAX_ENV_VARIABLES).default([]),
  /** Secret variables; leave `value` out to keep the previous revision's value. */
  secrets: z.array(z.object({ key: envKey, value: envValue.optional() })).max(MAX_ENV_VARIABLES).default([]),
  limits: stackLimits.default({}),
  /** The rest of the stack's folder: Dockerfiles, sources, config, env and secret files. */
  tree: treeInput,
};
const revisionInput = z.object(revisionFields);

export const createStackInput = z.object({
  name: stackName,
  description: z.string().trim().max(1_000).default(""),
  targets: z.array(targetInput).max(50).default([]),
  /** Optional first revision, saved with the stack. */
  revision: revisionInput.optional(),
});
export type CreateStackInput = z.infer<typeof createStackInput>;

export const updateStackInput = z.object({
  stackId: z.string().min(1),
  description: z.string().trim().max(1_000).optional(),
  /** The full new set of targets (hosts and their overlays), replacing the current one. */
  targets: z.array(targetInput).max(50).optional(),
});
export type UpdateStackInput = z.infer<typeof updateStackInput>;

export const removeStackInput = z.object({
  stackId: z.string().min(1),
  /** The stack's name, typed again by the user. */
  confirmName: z.string(),
  /** Remove it from Wharf even though it is still deployed somewhere (its containers keep running). */
  keepContainers: z.boolean().default(false),
});
export type RemoveStackInput = z.infer<typeof removeStackInput>;

export const saveRevisionInput = z.object({
  stackId: z.string().min(1),
  /** The revision the editor started from: saving fails with CONFLICT when someone saved another one since. */
  baseRevision: z.number().int().nonnegative().optional(),
  ...revisionFields,
});
export type SaveRevisionInput = z.infer<typeof saveRevisionInput>;

export const revisionRef = z.object({ stackId: z.string().min(1), number: z.number().int().positive() });
export const listRevisionsInput = z.object({
  stackId: z.string().min(1),
  // Coerced: REST callers send them as query strings.
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export const diffRevisionsInput = z.object({ stackId: z.string().min(1), from: z.number().int().positive(), to: z.number().int().positive() });

export const previewInput = z.object({
  stackId: z.string().min(1),
  hostId: z.string().min(1),
  /** Default: the latest revision. */
  number: z.number().int().positive().optional(),
});
export const previewDraftInput = z.object({
  stackId: z.string().min(1),
  hostId: z.string().min(1),
  ...revisionFields,
  /** The overlay as edited; null for none, absent for the saved one. */
  overlay: overlayText.optional(),
});

type Tx = Prisma.TransactionClient;

export async function findStackForTeam(db: Tx | WharfDeps["db"], teamId: string, stackId: string) {
  const stack = await db.stack.findFirst({ where: { id: stackId, teamId } });
  if (!stack) throw notFound("That stack");
  return stack;
}

async function checkTargets(tx: Tx, teamId: string, targets: z.infer<typeof targetInput>[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const hosts = await tx.host.findMany({ where: { teamId, id: { in: targets.map((t) => t.hostId) } }, select: { id: true } });
  const known = new Set(hosts.map((h) => h.id));
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    if (!known.has(target.hostId)) problems.push({ path: ["targets", index, "hostId"], message: "That host was not found in this team." });
    if (seen.has(target.hostId)) problems.push({ path: ["targets", index, "hostId"], message: "This host is listed twice." });
    seen.add(target.hostId);
    if (target.overlay !== null) problems.push(...checkOverlay(target.overlay, ["targets", index, "overlay"]));
  });
  return problems;
}

/**
 * Validates a revision and resolves its secrets: a secret given without a
 * value keeps the value it had in `previous`.
 */
function prepareRevision(input: z.infer<typeof revisionInput>, previous: Record<string, string>, tree: RevisionTree): RevisionContent {
  const files = checkStackFiles(input.files);
  const problems = [...files.problems, ...checkEnvKeys(input.env, input.secrets.map((s) => s.key))];
  const secrets: Record<string, string> = {};
  input.secrets.forEach((secret, index) => {
    const value = secret.value ?? previous[secret.key];
    if (value === undefined) problems.push({ path: ["secrets", index, "value"], message: `Secret ${secret.key} is new: give it a value.` });
    else secrets[secret.key] = value;
  });
  // Services added by a host overlay cannot be known here; a file problem already hides the services.
  if (files.problems.length === 0) {
    for (const service of Object.keys(input.limits)) {
      if (!files.services.includes(service)) {
        problems.push({ path: ["limits", service], message: `Limits name service ${service}, which the files do not define (they define ${files.services.join(", ") || "no services"}).` });
      }
    }
  }
  if (problems.length > 0) throw invalidInput(problems);
  const content = { files: input.files, env: input.env, limits: input.limits, secrets, tree };
  const tooBig = sendableProblems(content);
  if (tooBig.length > 0) throw invalidInput(tooBig);
  return content;
}

async function writeRevision(deps: WharfDeps, tx: Tx, stack: { id: string; name: string; teamId: string }, actor: Actor, input: z.infer<typeof revisionInput>, baseRevision?: number) {
  const latest = await tx.stackRevision.findFirst({
    where: { stackId: stack.id },
    orderBy: { number: "desc" },
    select: { number: true, secretsEnc: true, authorLabel: true, ...revisionTreeSelect },
  });
  if (baseRevision !== undefined && (latest?.number ?? 0) !== baseRevision) {
    throw new WharfError(
      "CONFLICT",
      `${latest?.authorLabel ?? "Someone"} saved revision ${latest?.number ?? 0} of ${stack.name} after you started editing revision ${baseRevision}: reload it, then apply your changes again.`,
      "STALE_REVISION",
    );
  }
  const tree = await resolveTree(tx, input.tree, input.files.map((file) => file.path), storedTree(deps, latest?.entries));
  const content = prepareRevision(input, latest ? openSecrets(deps, latest.secretsEnc) : {}, tree);
  const number = (latest?.number ?? 0) + 1;
  const revision = await tx.stackRevision.create({
    data: {
      stackId: stack.id,
      number,
      message: input.message,
      authorId: actor.id,
      authorLabel: actor.label,
      files: content.files,
      env: content.env,
      limits: content.limits,
      secretNames: Object.keys(content.secrets).sort(),
      secretsEnc: sealSecrets(deps, content.secrets),
    },
    select: stackRevisionSummarySelect,
  });
  await writeTree(deps, tx, revision.id, content.tree);
  await recordAudit(tx, {
    teamId: stack.teamId,
    actor,
    action: "stack.revision",
    targetType: "stack",
    targetId: stack.id,
    summary: `Saved revision ${number} of ${stack.name}${input.message ? `: ${input.message}` : ""}`,
    data: { number, files: content.files.map((f) => f.path), secretNames: Object.keys(content.secrets).sort(), folderFiles: content.tree.files.length },
  });
  return revision;
}

/** Two saves of one stack at once collide on (stackId, number): say so instead of failing obscurely. */
function concurrentSave(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new WharfError("CONFLICT", "Someone else saved this stack at the same moment: reload it and save again.", "STALE_REVISION");
  }
  throw error;
}

/** Content about to be saved for a stack, with the secrets the latest revision holds; for the guardrails check before the write. */
async function contentToSave(deps: WharfDeps, stackId: string | null, input: z.infer<typeof revisionInput>) {
  const latest = stackId ? await deps.db.stackRevision.findFirst({ where: { stackId }, orderBy: { number: "desc" }, select: { secretsEnc: true, ...revisionTreeSelect } }) : null;
  return draftContent(deps, input, latest);
}

/** Edits resolved against the latest revision: its secret values and secret files fill those left without content. */
async function draftContent(deps: WharfDeps, input: z.infer<typeof revisionInput>, latest: { secretsEnc: Uint8Array | null; entries: Parameters<typeof storedTree>[1] } | null) {
  const tree = await resolveTree(deps.db, input.tree, input.files.map((file) => file.path), storedTree(deps, latest?.entries));
  return prepareRevision(input, latest ? openSecrets(deps, latest.secretsEnc) : {}, tree);
}

export async function createStack(deps: WharfDeps, teamId: string, actor: Actor, input: CreateStackInput) {
  if (input.revision) {
    await assertSaveWithinGuardrails(deps, { teamId, stack: { id: "", name: input.name }, userId: actor.id }, await contentToSave(deps, null, input.revision), input.targets);
  }
  return deps.db
    .$transaction(async (tx) => {
      if (await tx.stack.findFirst({ where: { teamId, name: input.name }, select: { id: true } })) {
        throw new WharfError("CONFLICT", `A stack named ${input.name} already exists in this team: pick another name.`);
      }
      const problems = await checkTargets(tx, teamId, input.targets);
      if (problems.length > 0) throw invalidInput(problems);
      const stack = await tx.stack.create({
        data: { teamId, name: input.name, description: input.description, targets: { create: input.targets.map((t) => ({ hostId: t.hostId, overlay: t.overlay })) } },
        select: { id: true, name: true, teamId: true },
      });
      await recordAudit(tx, {
        teamId,
        actor,
        action: "stack.create",
        targetType: "stack",
        targetId: stack.id,
        summary: `Created stack ${stack.name}${input.targets.length ? ` targeting ${input.targets.length} host(s)` : ""}`,
      });
      const revision = input.revision ? await writeRevision(deps, tx, stack, actor, input.revision) : null;
      return { id: stack.id, name: stack.name, revision };
    })
    .catch(concurrentSave);
}

async function activeJobs(db: Tx | WharfDeps["db"], stackId: string, hostIds?: string[]) {
  return db.deployment.findMany({
    where: { stackId, status: { in: ["QUEUED", "RUNNING"] }, ...(hostIds ? { hostId: { in: hostIds } } : {}) },
    select: { action: true, status: true, host: { select: { name: true } } },
  });
}

export async function updateStack(deps: WharfDeps, teamId: string, actor: Actor, input: UpdateStackInput) {
  if (input.targets) {
    // New hosts and overlays change the merged config: the latest files must pass the guardrails there too.
    const stack = await findStackForTeam(deps.db, teamId, input.stackId);
    const latest = await deps.db.stackRevision.findFirst({
      where: { stackId: stack.id },
      orderBy: { number: "desc" },
      select: { files: true, env: true, limits: true, secretsEnc: true, ...revisionTreeSelect },
    });
    if (latest) await assertSaveWithinGuardrails(deps, { teamId, stack, userId: actor.id }, revisionContent(deps, latest), input.targets);
  }
  const updated = await deps.db.$transaction(async (tx) => {
    const stack = await findStackForTeam(tx, teamId, input.stackId);
    const changes: string[] = [];
    let removedHosts: Host[] = [];
    if (input.description !== undefined && input.description !== stack.description) {
      await tx.stack.update({ where: { id: stack.id }, data: { description: input.description } });
      changes.push("description");
    }
    if (input.targets) {
      const problems = await checkTargets(tx, teamId, input.targets);
      if (problems.length > 0) throw invalidInput(problems);
      const current = await tx.stackTarget.findMany({ where: { stackId: stack.id }, select: { hostId: true, overlay: true } });
      const wanted = new Map(input.targets.map((t) => [t.hostId, t.overlay]));
      const removed = current.filter((t) => !wanted.has(t.hostId)).map((t) => t.hostId);
      const busy = removed.length > 0 ? await activeJobs(tx, stack.id, removed) : [];
      if (busy[0]) {
        throw new WharfError("CONFLICT", `A ${busy[0].action.toLowerCase()} of ${stack.name} on ${busy[0].host.name} is ${busy[0].status.toLowerCase()}: wait for it or cancel it before removing that host.`);
      }
      // Wharf would lose track of containers it started: take the stack down there first.
      const deployedOn = (await deployedStates(tx, [stack.id])).filter((state) => removed.includes(state.hostId)).map((state) => state.hostName);
      if (deployedOn.length > 0) {
        throw new WharfError("CONFLICT", `${stack.name} is still deployed on ${deployedOn.join(", ")}: run down there before removing the host from the stack.`, "STACK_DEPLOYED");
      }
      await tx.stackTarget.deleteMany({ where: { stackId: stack.id, hostId: { in: removed } } });
      removedHosts = await tx.host.findMany({ where: { id: { in: removed } } });
      for (const [hostId, overlay] of wanted) {
        const existing = current.find((t) => t.hostId === hostId);
        if (!existing) await tx.stackTarget.create({ data: { stackId: stack.id, hostId, overlay } });
        else if (existing.overlay !== overlay) await tx.stackTarget.update({ where: { stackId_hostId: { stackId: stack.id, hostId } }, data: { overlay } });
      }
      const added = input.targets.filter((t) => !current.some((c) => c.hostId === t.hostId)).length;
      const overlays = input.targets.filter((t) => current.some((c) => c.hostId === t.hostId && c.overlay !== t.overlay)).length;
      if (added) changes.push(`${added} host(s) added`);
      if (removed.length) changes.push(`${removed.length} host(s) removed`);
      if (overlays) changes.push(`${overlays} overlay(s) changed`);
    }
    if (changes.length > 0) {
      await tx.stack.update({ where: { id: stack.id }, data: { updatedAt: new Date() } });
      await recordAudit(tx, { teamId, actor, action: "stack.update", targetType: "stack", targetId: stack.id, summary: `Updated stack ${stack.name}: ${changes.join(", ")}` });
    }
    return { stack, changes, removedHosts };
  });
  // Only now that no job can start there: the hosts no longer targeted lose the stack's files (and secrets).
  const cleanup = await cleanUpHosts(deps, { teamId, actor, stackId: updated.stack.id, stackName: updated.stack.name }, updated.removedHosts);
  return { id: updated.stack.id, changes: updated.changes, cleanup };
}

export async function removeStack(deps: WharfDeps, teamId: string, actor: Actor, input: RemoveStackInput) {
  const removed = await deps.db.$transaction(async (tx) => {
    const stack = await findStackForTeam(tx, teamId, input.stackId);
    if (input.confirmName !== stack.name) throw invalidInput([{ path: ["confirmName"], message: `Type the stack's name (${stack.name}) to confirm.` }]);
    const busy = await activeJobs(tx, stack.id);
    if (busy[0]) {
      throw new WharfError("CONFLICT", `A ${busy[0].action.toLowerCase()} of ${stack.name} on ${busy[0].host.name} is ${busy[0].status.toLowerCase()}: wait for it or cancel it first.`);
    }
    const deployed = await deployedStates(tx, [stack.id]);
    const deployedOn = deployed.map((state) => state.hostName);
    if (deployedOn.length > 0 && !input.keepContainers) {
      throw new WharfError(
        "CONFLICT",
        `${stack.name} is still deployed on ${deployedOn.join(", ")}: run down there first, or remove it anyway and leave its containers running.`,
        "STACK_DEPLOYED",
      );
    }
    // Hosts where containers keep running keep their files too: the containers may bind-mount them.
    const stillRunning = new Set(deployed.map((state) => state.hostId));
    const hosts = (await tx.stackTarget.findMany({ where: { stackId: stack.id }, select: { host: true } })).map((target) => target.host).filter((host) => !stillRunning.has(host.id));
    await tx.stack.delete({ where: { id: stack.id } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "stack.remove",
      targetType: "stack",
      targetId: stack.id,
      summary: `Removed stack ${stack.name}${deployedOn.length ? ` (its containers keep running on ${deployedOn.join(", ")})` : ""}`,
    });
    return { stack, hosts };
  });
  const cleanup = await cleanUpHosts(deps, { teamId, actor, stackId: removed.stack.id, stackName: removed.stack.name }, removed.hosts);
  return { id: removed.stack.id, cleanup };
}

export async function saveRevision(deps: WharfDeps, teamId: string, actor: Actor, input: SaveRevisionInput) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const targets = await deps.db.stackTarget.findMany({ where: { stackId: stack.id }, select: { hostId: true, overlay: true } });
  await assertSaveWithinGuardrails(deps, { teamId, stack, userId: actor.id }, await contentToSave(deps, stack.id, input), targets);
  return deps.db
    .$transaction(async (tx) => {
      const stack = await findStackForTeam(tx, teamId, input.stackId);
      const revision = await writeRevision(deps, tx, stack, actor, input, input.baseRevision);
      await tx.stack.update({ where: { id: stack.id }, data: { updatedAt: new Date() } });
      return revision;
    })
    .catch(concurrentSave);
}

interface DeploymentState {
  stackId: string;
  hostId: string;
  hostName: string;
  deploymentId: string;
  action: DeploymentAction;
  status: DeploymentStatus;
  revisionNumber: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Per stack and host, the newest job (any status); one query for any number of stacks. */
async function lastDeployments(db: Tx | WharfDeps["db"], stackIds: string[]): Promise<DeploymentState[]> {
  if (stackIds.length === 0) return [];
  return db.$queryRaw<DeploymentState[]>`
    SELECT DISTINCT ON (d."stackId", d."hostId")
      d."stackId", d."hostId", h.name AS "hostName", d.id AS "deploymentId", d.action, d.status,
      r.number AS "revisionNumber", d."createdAt", d."finishedAt"
    FROM "Deployment" d JOIN "Host" h ON h.id = d."hostId" JOIN "StackRevision" r ON r.id = d."revisionId"
    WHERE d."stackId" = ANY(${stackIds})
    ORDER BY d."stackId", d."hostId", d."createdAt" DESC`;
}

function targetStatus(stackId: string, hostId: string, last: DeploymentState[], deployed: Deployed[]) {
  const job = last.find((d) => d.stackId === stackId && d.hostId === hostId);
  const state = deployed.find((d) => d.stackId === stackId && d.hostId === hostId);
  return {
    lastDeployment: job
      ? { id: job.deploymentId, action: job.action, status: job.status, revisionNumber: job.revisionNumber, createdAt: job.createdAt, finishedAt: job.finishedAt }
      : null,
    /** The revision running there, by the last successful deploy; null when never deployed or taken down. */
    deployed: state ? { deploymentId: state.deploymentId, revisionNumber: state.revisionNumber, at: state.finishedAt } : null,
  };
}

const hostSummarySelect = { id: true, name: true, status: true } satisfies Prisma.HostSelect;

export const listStacksInput = z.object({ hostId: z.string().min(1).optional() }).default({});

/** Every stack of the team (or those targeting one host), with each target's last job and deployed revision. */
export async function listStacks(deps: WharfDeps, teamId: string, input: z.infer<typeof listStacksInput>) {
  const stacks = await deps.db.stack.findMany({
    where: { teamId, ...(input.hostId ? { targets: { some: { hostId: input.hostId } } } : {}) },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      updatedAt: true,
      targets: { orderBy: { createdAt: "asc" }, select: { overlay: true, host: { select: hostSummarySelect } } },
      revisions: { orderBy: { number: "desc" }, take: 1, select: stackRevisionSummarySelect },
    },
  });
  const ids = stacks.map((s) => s.id);
  const [last, deployed, byHost] = await Promise.all([lastDeployments(deps.db, ids), deployedStates(deps.db, ids), stacksByHost(deps, teamId)]);
  return stacks.map(({ revisions, targets, ...stack }) => ({
    ...stack,
    latestRevision: revisions[0] ?? null,
    targets: targets.map((t) => {
      const onHost = byHost.get(t.host.id)?.find((entry) => entry.id === stack.id);
      // What runs there, as the hosts list shows it (jobs, and the monitor's last count of containers).
      const state = onHost ? { state: onHost.state, action: onHost.action, containers: onHost.containers } : null;
      return { host: t.host, hasOverlay: t.overlay !== null, state, ...targetStatus(stack.id, t.host.id, last, deployed) };
    }),
  }));
}

export async function getStack(deps: WharfDeps, teamId: string, stackId: string) {
  const stack = await deps.db.stack.findFirst({
    where: { id: stackId, teamId },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      updatedAt: true,
      targets: { orderBy: { createdAt: "asc" }, select: { overlay: true, host: { select: hostSummarySelect } } },
      revisions: { orderBy: { number: "desc" }, take: 1, select: { ...stackRevisionPublicSelect, ...revisionTreeSelect } },
    },
  });
  if (!stack) throw notFound("That stack");
  const [last, deployed, present] = await Promise.all([lastDeployments(deps.db, [stack.id]), deployedStates(deps.db, [stack.id]), hostsWithStack(deps.db, stack.id)]);
  const { revisions, targets, ...rest } = stack;
  const latest = revisions[0];
  return {
    ...rest,
    latestRevision: latest ? toPublicRevision(latest) : null,
    folderLimits: TREE_LIMITS,
    // hasContainers: whether stop, restart, redeploy and down have anything to act on there.
    targets: targets.map((t) => ({ host: t.host, overlay: t.overlay, hasContainers: present.has(t.host.id), ...targetStatus(stack.id, t.host.id, last, deployed) })),
  };
}

type PublicRevisionRow = Prisma.StackRevisionGetPayload<{ select: typeof stackRevisionPublicSelect & typeof revisionTreeSelect }>;

/** The revision as users see it: its folder listed by path, size and mode; a secret file's content and hash never leave. */
function toPublicRevision({ entries, ...row }: PublicRevisionRow) {
  const tree = entries
    .map((entry) => ({ path: entry.path, size: entry.size, executable: entry.mode === 0o755, secret: entry.sealed !== null, sha256: entry.sealed === null ? entry.sha256 : null }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return { ...row, ...publicContent(row), tree };
}

export async function listRevisions(deps: WharfDeps, teamId: string, input: z.infer<typeof listRevisionsInput>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const rows = await deps.db.stackRevision.findMany({
    where: { stackId: stack.id, ...(input.cursor ? { number: { lt: input.cursor } } : {}) },
    orderBy: { number: "desc" },
    take: input.limit + 1,
    select: stackRevisionSummarySelect,
  });
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? (items.at(-1)?.number ?? null) : null };
}

export async function findRevisionRow(deps: WharfDeps, stackId: string, number: number | undefined) {
  const row = await deps.db.stackRevision.findFirst({
    where: { stackId, ...(number === undefined ? {} : { number }) },
    orderBy: { number: "desc" },
    select: { ...stackRevisionPublicSelect, secretsEnc: true, ...revisionTreeSelect },
  });
  if (!row) throw number === undefined ? new WharfError("PRECONDITION_FAILED", "This stack has no revision yet: save its files first.", "NO_REVISION") : notFound(`Revision ${number}`);
  return row;
}

export async function getRevision(deps: WharfDeps, teamId: string, input: z.infer<typeof revisionRef>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const { secretsEnc: _sealed, ...row } = await findRevisionRow(deps, stack.id, input.number);
  return toPublicRevision(row);
}

export const folderFileInput = revisionRef.extend({ path: z.string().min(1).max(255) });

/** One plain file of a revision's folder, base64, for the editor (secret files are never read back). */
export async function getFolderFile(deps: WharfDeps, teamId: string, input: z.infer<typeof folderFileInput>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const revision = await deps.db.stackRevision.findUnique({ where: { stackId_number: { stackId: stack.id, number: input.number } }, select: { id: true } });
  if (!revision) throw notFound(`Revision ${input.number}`);
  return readTreeFile(deps, revision.id, input.path);
}

type Change = "added" | "removed" | "modified" | "unchanged";

function change<T>(from: T | undefined, to: T | undefined, same: (a: T, b: T) => boolean): Change {
  if (from === undefined) return "added";
  if (to === undefined) return "removed";
  return same(from, to) ? "unchanged" : "modified";
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Both revisions in full, plus what changed: a unified diff per file, variables and secrets by name, limits by service. */
export async function diffRevisions(deps: WharfDeps, teamId: string, input: z.infer<typeof diffRevisionsInput>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const [fromRow, toRow] = await Promise.all([findRevisionRow(deps, stack.id, input.from), findRevisionRow(deps, stack.id, input.to)]);
  const from = revisionContent(deps, fromRow);
  const to = revisionContent(deps, toRow);
  const paths = [...new Set([...from.files.map((f) => f.path), ...to.files.map((f) => f.path)])];
  const files = paths.map((path) => {
    const a = from.files.find((f) => f.path === path);
    const b = to.files.find((f) => f.path === path);
    return {
      path,
      change: change(a?.content, b?.content, (x, y) => x === y),
      patch: createTwoFilesPatch(`a/${path}`, `b/${path}`, a?.content ?? "", b?.content ?? "", `revision ${input.from}`, `revision ${input.to}`),
    };
  });
  const keys = (env: RevisionContent["env"]) => env.map((e) => e.key);
  const env = [...new Set([...keys(from.env), ...keys(to.env)])].map((key) => {
    const a = from.env.find((e) => e.key === key)?.value;
    const b = to.env.find((e) => e.key === key)?.value;
    return { key, change: change(a, b, (x, y) => x === y), from: a ?? null, to: b ?? null };
  });
  // Compared inside the server; only whether a secret changed leaves it.
  const secrets = [...new Set([...Object.keys(from.secrets), ...Object.keys(to.secrets)])].sort().map((key) => ({ key, change: change(from.secrets[key], to.secrets[key], (x, y) => x === y) }));
  const limits = [...new Set([...Object.keys(from.limits), ...Object.keys(to.limits)])].sort().map((service) => {
    const a: ServiceLimits | undefined = from.limits[service];
    const b: ServiceLimits | undefined = to.limits[service];
    return { service, change: change(a, b, sameJson), from: a ?? null, to: b ?? null };
  });
  const strip = ({ secretsEnc: _sealed, ...row }: typeof fromRow) => toPublicRevision(row);
  return {
    from: strip(fromRow),
    to: strip(toRow),
    fileOrderChanged: !sameJson(
      from.files.map((f) => f.path).filter((p) => to.files.some((f) => f.path === p)),
      to.files.map((f) => f.path).filter((p) => from.files.some((f) => f.path === p)),
    ),
    files,
    env,
    secrets,
    limits,
  };
}

export type PreviewResult =
  | {
      ok: true;
      /** What `compose config` printed on the host, secret values redacted. */
      merged: string;
      services: string[];
      images: string[];
      compose: { flavor: "v1" | "v2"; version: string };
      /** The `-f` files in order, generated ones last. */
      files: string[];
      limitsOverride: string | null;
    }
  | { ok: false; problem: { message: string; file: string | null; line: number | null } };

async function previewProject(deps: WharfDeps, host: Host, stack: { name: string }, content: RevisionContent, overlay: string | null): Promise<PreviewResult> {
  const { project, limitsOverride } = buildProject(stack.name, content, overlay);
  const redactor = redactorFor(content);
  try {
    await ensureTreeOnHost(deps, host, project.name, content.tree);
    const result = await callAgent(deps, host, "composeConfig", { project });
    return {
      ok: true,
      merged: redactor.text(result.merged),
      services: result.services,
      images: result.images,
      compose: result.compose,
      files: [...project.files, ...(project.overrideFiles ?? [])].map((f) => f.path),
      limitsOverride,
    };
  } catch (error) {
    if (error instanceof WharfError && error.reason === "COMPOSE_INVALID") {
      const problem = error.problems?.[0];
      return { ok: false, problem: { message: redactor.text(error.message), file: problem?.file ?? null, line: problem?.line ?? null } };
    }
    throw redactor.error(error);
  }
}

export async function targetOf(deps: WharfDeps, teamId: string, stackId: string, hostId: string) {
  const stack = await findStackForTeam(deps.db, teamId, stackId);
  const host = await findHostForTeam(deps, teamId, hostId);
  const target = await deps.db.stackTarget.findUnique({ where: { stackId_hostId: { stackId, hostId } }, select: { overlay: true } });
  if (!target) throw new WharfError("PRECONDITION_FAILED", `${host.name} is not a target of ${stack.name}: add it to the stack first.`, "NOT_A_TARGET");
  return { stack, host, overlay: target.overlay };
}

/** The merged compose config of a saved revision on one host (its overlay and the limits override included). */
export async function previewStack(deps: WharfDeps, teamId: string, input: z.infer<typeof previewInput>): Promise<PreviewResult> {
  const { stack, host, overlay } = await targetOf(deps, teamId, input.stackId, input.hostId);
  const row = await findRevisionRow(deps, stack.id, input.number);
  return previewProject(deps, host, stack, revisionContent(deps, row), overlay);
}

/** Unsaved edits as a revision on one of the stack's hosts; secrets left without a value use the latest revision's. */
export async function draftOf(deps: WharfDeps, teamId: string, input: z.infer<typeof previewDraftInput>) {
  const { stack, host, overlay } = await targetOf(deps, teamId, input.stackId, input.hostId);
  const latest = await deps.db.stackRevision.findFirst({ where: { stackId: stack.id }, orderBy: { number: "desc" }, select: { secretsEnc: true, ...revisionTreeSelect } });
  const draftOverlay = input.overlay === undefined ? overlay : input.overlay;
  if (draftOverlay !== null) {
    const problems = checkOverlay(draftOverlay, ["overlay"]);
    if (problems.length > 0) throw invalidInput(problems);
  }
  const content = await draftContent(deps, input, latest);
  return { stack, host, overlay: draftOverlay, content };
}

/** The merged compose config of unsaved edits. */
export async function previewDraft(deps: WharfDeps, teamId: string, input: z.infer<typeof previewDraftInput>): Promise<PreviewResult> {
  const { stack, host, overlay, content } = await draftOf(deps, teamId, input);
  return previewProject(deps, host, stack, content, overlay);
}
