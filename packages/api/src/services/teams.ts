import type { Role } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";

export interface ActiveMembership {
  teamId: string;
  role: Role;
}

export async function resolveMembership(deps: WharfDeps, userId: string, requestedTeamId: string | null): Promise<ActiveMembership> {
  const membership = await deps.db.membership.findFirst({
    where: { userId, ...(requestedTeamId ? { teamId: requestedTeamId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { teamId: true, role: true },
  });
  if (!membership) {
    throw new WharfError(
      "FORBIDDEN",
      requestedTeamId ? "You are not a member of that team." : "You are not a member of any team yet: ask an owner to invite you.",
    );
  }
  return membership;
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
