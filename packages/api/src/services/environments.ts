import type { Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type Actor, recordAudit } from "./audit";

/** Every team starts with this one; migrated teams hold their existing hosts in it. */
export const DEFAULT_ENVIRONMENT = "default";

export const environmentName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, "Use lowercase letters, digits and dashes, e.g. production or staging.");

export const createEnvironmentInput = z.object({ name: environmentName });
export const renameEnvironmentInput = z.object({ environmentId: z.string().min(1), name: environmentName });
export const removeEnvironmentInput = z.object({ environmentId: z.string().min(1) });
export const setHostEnvironmentInput = z.object({ hostId: z.string().min(1), environmentId: z.string().min(1) });

type Db = WharfDeps["db"] | Prisma.TransactionClient;

export async function createDefaultEnvironment(tx: Prisma.TransactionClient, teamId: string): Promise<{ id: string }> {
  return tx.environment.create({ data: { teamId, name: DEFAULT_ENVIRONMENT }, select: { id: true } });
}

/** The given environment of this team, or the team's oldest one when none is given. */
export async function resolveEnvironmentId(db: Db, teamId: string, environmentId: string | undefined): Promise<string> {
  const environment = await db.environment.findFirst({
    where: { teamId, ...(environmentId ? { id: environmentId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  if (!environment) {
    throw environmentId ? notFound("That environment") : new WharfError("PRECONDITION_FAILED", "This team has no environment: create one first.");
  }
  return environment.id;
}

export async function listEnvironments(deps: WharfDeps, teamId: string) {
  const rows = await deps.db.environment.findMany({
    where: { teamId },
    orderBy: [{ createdAt: "asc" }, { name: "asc" }],
    select: { id: true, name: true, createdAt: true, _count: { select: { hosts: true } } },
  });
  return rows.map(({ _count, ...environment }) => ({ ...environment, hostCount: _count.hosts }));
}

async function assertNameFree(db: Db, teamId: string, name: string, exceptId?: string) {
  const clash = await db.environment.findFirst({ where: { teamId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new WharfError("CONFLICT", `An environment named ${name} already exists in this team: pick another name.`);
}

export async function createEnvironment(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof createEnvironmentInput>) {
  return deps.db.$transaction(async (tx) => {
    await assertNameFree(tx, teamId, input.name);
    const environment = await tx.environment.create({ data: { teamId, name: input.name }, select: { id: true, name: true } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "environment.create",
      targetType: "environment",
      targetId: environment.id,
      summary: `Created the environment ${environment.name}`,
    });
    return environment;
  });
}

export async function renameEnvironment(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof renameEnvironmentInput>) {
  return deps.db.$transaction(async (tx) => {
    const environment = await tx.environment.findFirst({ where: { id: input.environmentId, teamId }, select: { id: true, name: true } });
    if (!environment) throw notFound("That environment");
    await assertNameFree(tx, teamId, input.name, environment.id);
    await tx.environment.update({ where: { id: environment.id }, data: { name: input.name } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "environment.rename",
      targetType: "environment",
      targetId: environment.id,
      summary: `Renamed the environment ${environment.name} to ${input.name}`,
    });
    return { id: environment.id, name: input.name };
  });
}

export async function removeEnvironment(deps: WharfDeps, teamId: string, actor: Actor, environmentId: string) {
  await deps.db.$transaction(async (tx) => {
    const environment = await tx.environment.findFirst({
      where: { id: environmentId, teamId },
      select: { id: true, name: true, _count: { select: { hosts: true } } },
    });
    if (!environment) throw notFound("That environment");
    if (environment._count.hosts > 0) {
      throw new WharfError(
        "CONFLICT",
        `The environment ${environment.name} still holds ${environment._count.hosts} host(s): move them to another environment first.`,
      );
    }
    if ((await tx.environment.count({ where: { teamId } })) === 1) {
      throw new WharfError("CONFLICT", "A team keeps at least one environment: create another before removing this one.");
    }
    // Scoped grants on it disappear with it (the membership stays scoped, so no one gains rights).
    await tx.environment.delete({ where: { id: environment.id } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "environment.remove",
      targetType: "environment",
      targetId: environment.id,
      summary: `Removed the environment ${environment.name}`,
    });
  });
}

export async function setHostEnvironment(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof setHostEnvironmentInput>) {
  return deps.db.$transaction(async (tx) => {
    const host = await tx.host.findFirst({ where: { id: input.hostId, teamId }, select: { id: true, name: true, environment: { select: { name: true } } } });
    if (!host) throw notFound("That host");
    const environment = await tx.environment.findFirst({ where: { id: input.environmentId, teamId }, select: { id: true, name: true } });
    if (!environment) throw notFound("That environment");
    await tx.host.update({ where: { id: host.id }, data: { environmentId: environment.id } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "host.environment",
      targetType: "host",
      targetId: host.id,
      summary: `Moved host ${host.name} from ${host.environment.name} to ${environment.name}`,
    });
    return { id: host.id, environment };
  });
}
