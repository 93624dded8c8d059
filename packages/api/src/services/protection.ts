import type { DeploymentAction, Host, Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { resolveEnvironmentId } from "./environments";

type Db = Prisma.TransactionClient | WharfDeps["db"];

/** The actions that wait for approval in a protected environment: those that change or remove what runs. */
export const PROTECTED_ACTIONS: readonly DeploymentAction[] = ["DEPLOY", "REDEPLOY", "ROLLBACK", "DOWN"];

export const protectionScopeInput = z.object({ environmentId: z.string().min(1).optional() });
export const setProtectionInput = z.object({
  environmentId: z.string().min(1).optional(),
  /** False lifts the protection. */
  protected: z.boolean(),
  requiredApprovals: z.number().int().min(1, "At least one approval.").max(5, "At most 5 approvals.").default(1),
  expiresAfterMinutes: z
    .number()
    .int()
    .min(5, "A request lives at least 5 minutes.")
    .max(14 * 24 * 60, "A request lives at most 14 days.")
    .default(24 * 60),
});

const protectionSelect = { environmentId: true, requiredApprovals: true, expiresAfterMinutes: true, updatedByLabel: true, updatedAt: true } satisfies Prisma.EnvironmentProtectionSelect;

/** The protection of the hosts' environments that applies to this action (none for stop, restart, pull, build). */
export async function protectionsFor(db: Db, action: DeploymentAction, hosts: Pick<Host, "environmentId">[]) {
  if (!PROTECTED_ACTIONS.includes(action) || hosts.length === 0) return [];
  return db.environmentProtection.findMany({ where: { environmentId: { in: [...new Set(hosts.map((host) => host.environmentId))] } }, select: protectionSelect });
}

export async function protectedHosts<H extends Pick<Host, "environmentId" | "name">>(db: Db, action: DeploymentAction, hosts: H[]): Promise<H[]> {
  const protections = await protectionsFor(db, action, hosts);
  return hosts.filter((host) => protections.some((p) => p.environmentId === host.environmentId));
}

export async function getProtection(deps: WharfDeps, teamId: string, input: z.infer<typeof protectionScopeInput>) {
  const environmentId = await resolveEnvironmentId(deps.db, teamId, input.environmentId);
  const row = await deps.db.environmentProtection.findUnique({ where: { environmentId }, select: protectionSelect });
  return { environmentId, protected: row !== null, requiredApprovals: row?.requiredApprovals ?? 1, expiresAfterMinutes: row?.expiresAfterMinutes ?? 24 * 60, updatedByLabel: row?.updatedByLabel ?? null };
}

export async function setProtection(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof setProtectionInput>) {
  return deps.db.$transaction(async (tx) => {
    const environmentId = await resolveEnvironmentId(tx, teamId, input.environmentId);
    const environment = await tx.environment.findUniqueOrThrow({ where: { id: environmentId }, select: { name: true } });
    if (input.protected) {
      const data = { requiredApprovals: input.requiredApprovals, expiresAfterMinutes: input.expiresAfterMinutes, updatedByLabel: actor.label };
      await tx.environmentProtection.upsert({ where: { environmentId }, create: { ...data, environmentId, teamId }, update: data });
    } else {
      await tx.environmentProtection.deleteMany({ where: { environmentId } });
    }
    await recordAudit(tx, {
      teamId,
      actor,
      action: "environment.protection",
      targetType: "environment",
      targetId: environmentId,
      summary: input.protected
        ? `Protected ${environment.name}: deploy, redeploy, rollback and down there need ${input.requiredApprovals} approval(s) within ${input.expiresAfterMinutes} minutes`
        : `Lifted the protection of ${environment.name}`,
      data: { protected: input.protected, requiredApprovals: input.requiredApprovals, expiresAfterMinutes: input.expiresAfterMinutes },
    });
    return { environmentId, protected: input.protected };
  });
}
