import type { Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { hashSecret, newSecret, sameSecret } from "../lib/hook-secret";
import { type Actor, recordAudit } from "./audit";
import { startDeployment } from "./deployments";
import { findStackForTeam, saveRevision } from "./stacks";

/**
 * A deploy hook: a per-stack URL and secret a CI job calls to deploy the
 * stack's latest revision (optionally setting an image tag variable first).
 * It can do nothing else. It acts as its creator, within the creator's
 * current rights (the route checks them with the same `authorize` as every
 * procedure), and is refused once the creator may no longer deploy the stack.
 */

/** One call per hook in this window; a pipeline retrying in a loop gets 429, not a queue of deploys. */
export const HOOK_MIN_INTERVAL_MS = 10_000;

export const deployHookRef = z.object({ stackId: z.string().min(1) });

/** What a pipeline may send: a tag for the image variable (e.g. IMAGE_TAG=1.4.2), nothing else. */
export const deployHookCall = z
  .object({
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "A tag is letters, digits, _ . - (at most 128, Docker's tag rules).")
      .optional(),
    /** The variable the tag goes in. */
    variable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "A variable name is letters, digits and _.")
      .default("IMAGE_TAG"),
  })
  .strict();
export type DeployHookCall = z.infer<typeof deployHookCall>;

const hookSelect = { id: true, createdByLabel: true, createdAt: true, lastUsedAt: true, lastUsedAddress: true } satisfies Prisma.DeployHookSelect;

export function deployHookUrl(deps: WharfDeps, hookId: string): string {
  return `${deps.config.publicUrl.replace(/\/$/, "")}/api/hooks/deploy/${hookId}`;
}

export async function getDeployHook(deps: WharfDeps, teamId: string, stackId: string) {
  const stack = await findStackForTeam(deps.db, teamId, stackId);
  const hook = await deps.db.deployHook.findUnique({ where: { stackId: stack.id }, select: hookSelect });
  return hook ? { ...hook, url: deployHookUrl(deps, hook.id) } : null;
}

/** Creates the stack's hook, or gives it a new secret (the old one stops working at once). The secret is returned this once. */
export async function rotateDeployHook(deps: WharfDeps, teamId: string, actor: Actor & { id: string }, stackId: string) {
  const stack = await findStackForTeam(deps.db, teamId, stackId);
  const secret = newSecret("whk");
  const hook = await deps.db.$transaction(async (tx) => {
    const existing = await tx.deployHook.findUnique({ where: { stackId: stack.id }, select: { id: true } });
    const data = { secretHash: hashSecret(secret), createdById: actor.id, createdByLabel: actor.label, lastUsedAt: null, lastUsedAddress: null };
    const row = await tx.deployHook.upsert({ where: { stackId: stack.id }, create: { stackId: stack.id, ...data }, update: data, select: hookSelect });
    await recordAudit(tx, {
      teamId,
      actor,
      action: existing ? "deploy_hook.rotate" : "deploy_hook.create",
      targetType: "stack",
      targetId: stack.id,
      summary: `Deploy hook of ${stack.name} ${existing ? "given a new secret" : "created"}; it deploys as ${actor.label}`,
    });
    return row;
  });
  return { hook: { ...hook, url: deployHookUrl(deps, hook.id) }, secret };
}

export async function revokeDeployHook(deps: WharfDeps, teamId: string, actor: Actor, stackId: string) {
  const stack = await findStackForTeam(deps.db, teamId, stackId);
  await deps.db.$transaction(async (tx) => {
    const removed = await tx.deployHook.deleteMany({ where: { stackId: stack.id } });
    if (removed.count === 0) throw notFound(`A deploy hook of ${stack.name}`);
    await recordAudit(tx, { teamId, actor, action: "deploy_hook.revoke", targetType: "stack", targetId: stack.id, summary: `Deploy hook of ${stack.name} revoked` });
  });
}

const refused = () => new WharfError("UNAUTHORIZED", "Unknown deploy hook or wrong secret: copy the hook's URL and secret again from the stack page.", "HOOK_REFUSED");

/** What an accepted hook call acts with: its stack, and its creator as the actor. */
export interface VerifiedHook {
  hookId: string;
  stack: { id: string; name: string; teamId: string };
  actor: Actor & { id: string };
}

/**
 * First half of a pipeline's call: the secret and the pace. The caller then
 * checks the creator's rights with `authorize` (as the route does: stack:deploy,
 * and stack:write when a tag is sent) before `runDeployHook`.
 */
export async function verifyDeployHook(deps: WharfDeps, hookId: string, secret: string | null, address: string | null): Promise<VerifiedHook> {
  const hook = await deps.db.deployHook.findUnique({
    where: { id: hookId },
    select: { id: true, secretHash: true, createdById: true, createdByLabel: true, stack: { select: { id: true, name: true, teamId: true } } },
  });
  if (!hook || !secret || !sameSecret(hashSecret(secret), hook.secretHash)) throw refused();
  const now = new Date();
  // Atomic: of two calls at once, one wins the window.
  const claimed = await deps.db.deployHook.updateMany({
    where: { id: hook.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - HOOK_MIN_INTERVAL_MS) } }] },
    data: { lastUsedAt: now, lastUsedAddress: address },
  });
  if (claimed.count === 0) throw new WharfError("TOO_MANY_REQUESTS", `This hook was called less than ${HOOK_MIN_INTERVAL_MS / 1000} s ago: wait, then call it again.`, "HOOK_TOO_SOON");
  const creator = await deps.db.user.findUnique({ where: { id: hook.createdById }, select: { email: true } });
  return {
    hookId: hook.id,
    stack: hook.stack,
    actor: { id: hook.createdById, label: creator?.email ?? hook.createdByLabel, name: `deploy hook of ${hook.stack.name}`, source: "API_TOKEN", address },
  };
}

/** Records a hook call its creator's rights no longer allow. */
export async function recordHookRefusal(deps: WharfDeps, hook: VerifiedHook, message: string): Promise<void> {
  await recordAudit(deps.db, {
    teamId: hook.stack.teamId,
    actor: hook.actor,
    action: "access.refused",
    targetType: "deploy_hook",
    targetId: hook.hookId,
    summary: `Deploy hook of ${hook.stack.name} refused: ${message}`,
  });
}

/** Second half: saves the tag (if any) as a new revision and deploys the latest revision. */
export async function runDeployHook(deps: WharfDeps, hook: VerifiedHook, input: DeployHookCall) {
  const { stack, actor } = hook;
  if (input.tag !== undefined) await saveTag(deps, stack, actor, input.variable, input.tag);
  const jobs = await startDeployment(deps, stack.teamId, actor, { stackId: stack.id, action: "DEPLOY", options: {} });
  await recordAudit(deps.db, {
    teamId: stack.teamId,
    actor,
    action: "deploy_hook.call",
    targetType: "stack",
    targetId: stack.id,
    summary: `Deploy hook of ${stack.name} called${input.tag !== undefined ? ` with ${input.variable}=${input.tag}` : ""}: ${jobs.length} job(s) queued`,
    data: { deploymentIds: jobs.map((job) => job.id) },
  });
  return { stack: stack.name, deployments: jobs.map((job) => ({ id: job.id, host: job.host.name, status: job.status })) };
}

/** A new revision equal to the latest one, with the tag variable set (secrets and the folder kept as they are). */
async function saveTag(deps: WharfDeps, stack: { id: string; name: string; teamId: string }, actor: Actor, variable: string, tag: string): Promise<void> {
  const latest = await deps.db.stackRevision.findFirst({
    where: { stackId: stack.id },
    orderBy: { number: "desc" },
    select: { number: true, files: true, env: true, secretNames: true, limits: true, entries: { select: { path: true, mode: true, sha256: true } } },
  });
  if (!latest) throw new WharfError("PRECONDITION_FAILED", `${stack.name} has no revision yet: save one before calling its hook.`, "NO_REVISION");
  const current = latest.env as { key: string; value: string }[];
  if (current.some((entry) => entry.key === variable && entry.value === tag)) return;
  const env = current.filter((entry) => entry.key !== variable);
  await saveRevision(deps, stack.teamId, actor, {
    stackId: stack.id,
    baseRevision: latest.number,
    message: `${variable}=${tag} (deploy hook)`,
    files: latest.files as { path: string; content: string }[],
    env: [...env, { key: variable, value: tag }],
    secrets: latest.secretNames.map((key) => ({ key })),
    limits: latest.limits as Prisma.JsonObject as never,
    // Unchanged files by their hash; a secret file without content keeps the latest revision's.
    tree: latest.entries.map((entry) =>
      entry.sha256 === null ? { path: entry.path, executable: false, secret: true } : { path: entry.path, executable: (entry.mode & 0o111) !== 0, secret: false, sha256: entry.sha256 },
    ),
  });
}
