import { randomBytes } from "node:crypto";

import type { Prisma, Role } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { createDefaultEnvironment } from "./environments";

/** The caller's membership of the active team: its role, and the environments it is limited to (null: team-wide). */
export interface ActiveMembership {
  teamId: string;
  role: Role;
  environmentIds: string[] | null;
}

export async function resolveMembership(deps: WharfDeps, userId: string, requestedTeamId: string | null): Promise<ActiveMembership> {
  const membership = await deps.db.membership.findFirst({
    where: { userId, ...(requestedTeamId ? { teamId: requestedTeamId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { teamId: true, role: true, environmentScoped: true, environments: { select: { environmentId: true } } },
  });
  if (!membership) {
    throw new WharfError(
      "FORBIDDEN",
      requestedTeamId ? "You are not a member of that team." : "You are not a member of any team yet: ask an owner to invite you.",
    );
  }
  return {
    teamId: membership.teamId,
    role: membership.role,
    environmentIds: membership.environmentScoped ? membership.environments.map((e) => e.environmentId) : null,
  };
}

export async function listMyTeams(deps: WharfDeps, userId: string) {
  const memberships = await deps.db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { role: true, team: { select: { id: true, name: true, slug: true } } },
  });
  return memberships.map((m) => ({ ...m.team, role: m.role }));
}

export async function getMe(deps: WharfDeps, userId: string, teamId: string, role: Role) {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, email: true, name: true } });
  const team = await deps.db.team.findUniqueOrThrow({ where: { id: teamId }, select: { id: true, name: true, slug: true } });
  return { user, team: { ...team, role } };
}

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "team";
}

/** A team with its default environment and its first owner; slugs stay unique (a suffix when the name's is taken). */
export async function createTeamRecord(tx: Prisma.TransactionClient, ownerId: string, name: string): Promise<{ id: string; name: string; slug: string }> {
  const base = slugify(name);
  const taken = await tx.team.findUnique({ where: { slug: base }, select: { id: true } });
  const slug = taken ? `${base}-${randomBytes(3).toString("hex")}` : base;
  const team = await tx.team.create({ data: { name, slug }, select: { id: true, name: true, slug: true } });
  await createDefaultEnvironment(tx, team.id);
  await tx.membership.create({ data: { userId: ownerId, teamId: team.id, role: "OWNER" } });
  return team;
}
