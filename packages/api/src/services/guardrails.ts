import type { Host, Prisma, Role } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import {
  DEFAULT_GUARDRAIL_POLICY,
  evaluateGuardrails,
  GUARDRAIL_RULES,
  type GuardrailPolicy,
  guardrailPolicy,
  guardrailRule,
  type GuardrailViolation,
  parseMerged,
  projectDirMatcher,
  readPolicy,
} from "../lib/guardrails";
import { effectiveRole } from "./access";
import { type Actor, recordAudit } from "./audit";
import { callAgent } from "./hosts";
import { buildProject, redactorFor, type RevisionContent } from "./stack-project";
import { ensureTreeOnHost } from "./stack-tree";
import { resolveMembership } from "./teams";

type Db = Prisma.TransactionClient | WharfDeps["db"];

export const policyScopeInput = z.object({ environmentId: z.string().min(1).nullable().default(null) });
export const setPolicyInput = policyScopeInput.extend({ policy: guardrailPolicy });
export const grantExceptionInput = z.object({
  stackId: z.string().min(1),
  rule: guardrailRule,
  reason: z.string().trim().min(3, "Say why this stack needs the exception.").max(500),
});
export const revokeExceptionInput = z.object({ stackId: z.string().min(1), rule: guardrailRule });

/** The policy that applies in an environment: its own, else the team's, else the defaults. */
export async function effectivePolicy(db: Db, teamId: string, environmentId: string | null): Promise<{ policy: GuardrailPolicy; source: "environment" | "team" | "default" }> {
  const rows = await db.guardrailPolicy.findMany({ where: { teamId, OR: [{ environmentId: null }, ...(environmentId ? [{ environmentId }] : [])] }, select: { environmentId: true, policy: true } });
  const own = environmentId ? rows.find((row) => row.environmentId === environmentId) : undefined;
  const team = rows.find((row) => row.environmentId === null);
  if (own) return { policy: readPolicy(own.policy), source: "environment" };
  if (team) return { policy: readPolicy(team.policy), source: "team" };
  return { policy: DEFAULT_GUARDRAIL_POLICY, source: "default" };
}

export async function getPolicy(deps: WharfDeps, teamId: string, input: z.infer<typeof policyScopeInput>) {
  return { ...(await effectivePolicy(deps.db, teamId, input.environmentId)), rules: GUARDRAIL_RULES, defaults: DEFAULT_GUARDRAIL_POLICY };
}

export async function setPolicy(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof setPolicyInput>) {
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.guardrailPolicy.findFirst({ where: { teamId, environmentId: input.environmentId }, select: { id: true } });
    const data = { policy: input.policy, updatedByLabel: actor.label };
    if (existing) await tx.guardrailPolicy.update({ where: { id: existing.id }, data });
    else await tx.guardrailPolicy.create({ data: { ...data, teamId, environmentId: input.environmentId } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "guardrail.policy",
      targetType: input.environmentId ? "environment" : "team",
      targetId: input.environmentId ?? teamId,
      summary: `Changed the compose guardrails ${input.environmentId ? "of an environment" : "of the team"}`,
      data: input.policy,
    });
    return { policy: input.policy };
  });
}

async function stackOf(db: Db, teamId: string, stackId: string) {
  const stack = await db.stack.findFirst({ where: { id: stackId, teamId }, select: { id: true, name: true } });
  if (!stack) throw notFound("That stack");
  return stack;
}

const exceptionSelect = { id: true, rule: true, reason: true, grantedByLabel: true, createdAt: true } satisfies Prisma.GuardrailExceptionSelect;

export async function listExceptions(deps: WharfDeps, teamId: string, stackId: string) {
  const stack = await stackOf(deps.db, teamId, stackId);
  return deps.db.guardrailException.findMany({ where: { stackId: stack.id }, orderBy: { rule: "asc" }, select: exceptionSelect });
}

export async function grantException(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof grantExceptionInput>) {
  return deps.db.$transaction(async (tx) => {
    const stack = await stackOf(tx, teamId, input.stackId);
    if (await tx.guardrailException.findUnique({ where: { stackId_rule: { stackId: stack.id, rule: input.rule } }, select: { id: true } })) {
      throw new WharfError("CONFLICT", `${stack.name} already has an exception for ${input.rule}: revoke it first to change its reason.`, "EXCEPTION_EXISTS");
    }
    const row = await tx.guardrailException.create({
      data: { stackId: stack.id, rule: input.rule, reason: input.reason, grantedById: actor.id, grantedByLabel: actor.label },
      select: exceptionSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "guardrail.exception.grant",
      targetType: "stack",
      targetId: stack.id,
      summary: `Granted ${stack.name} an exception to guardrail ${input.rule}: ${input.reason}`,
      data: { rule: input.rule, reason: input.reason },
    });
    return row;
  });
}

export async function revokeException(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof revokeExceptionInput>) {
  return deps.db.$transaction(async (tx) => {
    const stack = await stackOf(tx, teamId, input.stackId);
    const removed = await tx.guardrailException.deleteMany({ where: { stackId: stack.id, rule: input.rule } });
    if (removed.count === 0) throw notFound(`An exception to ${input.rule} on ${stack.name}`);
    await recordAudit(tx, { teamId, actor, action: "guardrail.exception.revoke", targetType: "stack", targetId: stack.id, summary: `Revoked ${stack.name}'s exception to guardrail ${input.rule}`, data: { rule: input.rule } });
    return { rule: input.rule };
  });
}

/** Who a check is for: the member saving the files or asking for the job. */
export interface GuardrailRequester {
  teamId: string;
  stack: { id: string; name: string };
  userId: string | null;
}

/** A member's role on the host's environment; someone no longer a member gets the least (viewer). */
async function roleOn(deps: WharfDeps, teamId: string, userId: string | null, environmentId: string): Promise<Role> {
  if (!userId) return "VIEWER";
  const membership = await resolveMembership(deps, userId, teamId).catch((error: unknown) => {
    if (error instanceof WharfError && error.code === "FORBIDDEN") return null;
    throw error;
  });
  return membership ? effectiveRole(membership, [environmentId]) : "VIEWER";
}

/** Everything a check needs except the merged config, read once per request. */
async function subjectFor(deps: WharfDeps, requester: GuardrailRequester, host: Host) {
  const [{ policy, source }, role, exceptions] = await Promise.all([
    effectivePolicy(deps.db, requester.teamId, host.environmentId),
    roleOn(deps, requester.teamId, requester.userId, host.environmentId),
    deps.db.guardrailException.findMany({ where: { stackId: requester.stack.id }, select: { rule: true } }),
  ]);
  const waived = new Set(exceptions.map((e) => guardrailRule.safeParse(e.rule)).flatMap((r) => (r.success ? [r.data] : [])));
  return { policy, role, waived, insideProject: projectDirMatcher(host.agentDir, requester.stack.name), scope: `the ${source === "default" ? "default" : source} guardrails on ${host.name}` };
}

/**
 * Checks a merged config for this requester on this host (its environment's
 * policy, the stack's exceptions): the reads start at once, so they overlap
 * the preflight that produces the config.
 */
export function guardrailCheck(deps: WharfDeps, requester: GuardrailRequester, host: Host): (merged: string) => Promise<GuardrailViolation[]> {
  const subject = subjectFor(deps, requester, host);
  // Awaited by the check; a preflight that fails first never asks.
  subject.catch(() => undefined);
  return async (merged) => evaluateGuardrails(parseMerged(merged), await subject);
}

export function guardrailRefusal(host: Host, violations: GuardrailViolation[]) {
  return {
    reason: "GUARDRAIL_VIOLATION",
    message: violations.map((v) => `${host.name}: ${v.message}`).join("; "),
    problems: violations.map((v) => ({ path: ["guardrails", host.name, v.service, v.rule], message: v.message })),
  };
}

/**
 * At save: the new files, merged on each target host as a deploy would merge
 * them (its overlay, the limits file), checked against the saver's role. Roles
 * the policy lets use everything skip the round trip to the hosts.
 */
export async function assertSaveWithinGuardrails(deps: WharfDeps, requester: GuardrailRequester, content: RevisionContent, targets: { hostId: string; overlay: string | null }[]): Promise<void> {
  const hosts = await deps.db.host.findMany({ where: { teamId: requester.teamId, id: { in: targets.map((t) => t.hostId) } } });
  const redactor = redactorFor(content);
  const refusals = await Promise.all(
    hosts.map(async (host) => {
      const overlay = targets.find((t) => t.hostId === host.id)?.overlay ?? null;
      const subject = await subjectFor(deps, requester, host);
      if (GUARDRAIL_RULES.every((rule) => subject.policy.allow[rule].includes(subject.role))) return null;
      const { project } = buildProject(requester.stack.name, content, overlay);
      const merged = await ensureTreeOnHost(deps, host, project.name, content.tree)
        .then(() => callAgent(deps, host, "composeConfig", { project }))
        .catch((error: unknown) => {
          // Files compose rejects are not this check's to report: the preflight of any deploy refuses them.
          if (error instanceof WharfError && error.reason === "COMPOSE_INVALID") return null;
          throw redactor.error(error);
        });
      const violations = merged ? evaluateGuardrails(parseMerged(merged.merged), subject) : [];
      return violations.length > 0 ? guardrailRefusal(host, violations) : null;
    }),
  );
  const refused = refusals.flatMap((r) => (r ? [r] : []));
  if (refused.length > 0) {
    throw new WharfError(
      "FORBIDDEN",
      redactor.text(`Not saved, the compose guardrails refuse it: ${refused.map((r) => r.message).join("; ")}`),
      "GUARDRAIL_VIOLATION",
      refused.flatMap((r) => r.problems),
    );
  }
}
