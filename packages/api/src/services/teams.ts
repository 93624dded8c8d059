import { randomBytes } from "node:crypto";

import type { Prisma, Role } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type Actor, recordAudit } from "./audit";
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

export async function getMe(deps: WharfDeps, userId: string, active: { id: string; memberRole: Role; environmentIds: string[] | null }) {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, email: true, name: true } });
  const team = await deps.db.team.findUniqueOrThrow({ where: { id: active.id }, select: { id: true, name: true, slug: true } });
  return { user, team: { ...team, role: active.memberRole, environmentIds: active.environmentIds } };
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

const roleInput = z.enum(["OWNER", "ADMIN", "DEPLOYER", "VIEWER"]);

/** A role for the whole team (environmentIds null or absent) or only in the listed environments. */
export const roleGrantInput = z.object({
  role: roleInput,
  environmentIds: z.array(z.string().min(1)).max(100).nullish(),
});
export type RoleGrant = z.infer<typeof roleGrantInput>;

export const createTeamInput = z.object({ name: z.string().trim().min(1, "Name your team.").max(60) });
export const setMemberRoleInput = roleGrantInput.extend({ userId: z.string().min(1) });
export const memberRef = z.object({ userId: z.string().min(1) });

const roleName = (role: Role): string => role.toLowerCase();

/** Refuses grants the caller may not give and owner roles limited to environments; returns the environment ids to store. */
export async function checkGrant(tx: Prisma.TransactionClient, teamId: string, callerRole: Role, grant: RoleGrant): Promise<string[] | null> {
  if (grant.role === "OWNER" && callerRole !== "OWNER") throw new WharfError("FORBIDDEN", "Only an owner can make someone an owner.");
  const environmentIds = grant.environmentIds ?? null;
  if (environmentIds === null) return null;
  if (grant.role === "OWNER") throw new WharfError("BAD_REQUEST", "An owner's role covers the whole team: leave the environments empty.");
  if (environmentIds.length === 0) throw new WharfError("BAD_REQUEST", "Choose at least one environment, or grant the role for the whole team.");
  const found = await tx.environment.count({ where: { teamId, id: { in: environmentIds } } });
  if (found !== new Set(environmentIds).size) throw notFound("One of those environments");
  return [...new Set(environmentIds)];
}

async function lockTeam(tx: Prisma.TransactionClient, teamId: string): Promise<void> {
  // Member changes of one team run one at a time, so two of them cannot both remove "another" owner.
  await tx.$queryRaw`SELECT 1 FROM "Team" WHERE "id" = ${teamId} FOR UPDATE`;
}

async function memberOf(tx: Prisma.TransactionClient, teamId: string, userId: string) {
  const membership = await tx.membership.findUnique({
    where: { userId_teamId: { userId, teamId } },
    select: { role: true, user: { select: { email: true } } },
  });
  if (!membership) throw notFound("That member");
  return membership;
}

async function assertNotLastOwner(tx: Prisma.TransactionClient, teamId: string, what: string): Promise<void> {
  if ((await tx.membership.count({ where: { teamId, role: "OWNER" } })) <= 1) {
    throw new WharfError("CONFLICT", `${what} would leave the team without an owner: make another member an owner first.`, "LAST_OWNER");
  }
}

export async function listMembers(deps: WharfDeps, teamId: string) {
  const rows = await deps.db.membership.findMany({
    where: { teamId },
    orderBy: { createdAt: "asc" },
    select: {
      role: true,
      environmentScoped: true,
      createdAt: true,
      user: { select: { id: true, name: true, email: true } },
      environments: { select: { environment: { select: { id: true, name: true } } } },
    },
  });
  return rows.map((row) => ({
    ...row.user,
    role: row.role,
    environments: row.environmentScoped ? row.environments.map((e) => e.environment) : null,
    joinedAt: row.createdAt,
  }));
}

export async function createTeam(deps: WharfDeps, actor: Actor & { id: string }, input: z.infer<typeof createTeamInput>) {
  return deps.db.$transaction(async (tx) => {
    const team = await createTeamRecord(tx, actor.id, input.name);
    await recordAudit(tx, { teamId: team.id, actor, action: "team.create", targetType: "team", targetId: team.id, summary: `Created the team ${team.name}` });
    return team;
  });
}

/** Writes a member's grant: the role and, when scoped, exactly these environments. */
export async function writeGrant(tx: Prisma.TransactionClient, teamId: string, userId: string, role: Role, environmentIds: string[] | null) {
  await tx.membership.upsert({
    where: { userId_teamId: { userId, teamId } },
    create: { userId, teamId, role, environmentScoped: environmentIds !== null },
    update: { role, environmentScoped: environmentIds !== null },
  });
  await tx.membershipEnvironment.deleteMany({ where: { userId, teamId } });
  if (environmentIds?.length) await tx.membershipEnvironment.createMany({ data: environmentIds.map((environmentId) => ({ userId, teamId, environmentId })) });
}

export async function setMemberRole(deps: WharfDeps, teamId: string, actor: Actor, callerRole: Role, input: z.infer<typeof setMemberRoleInput>) {
  await deps.db.$transaction(async (tx) => {
    await lockTeam(tx, teamId);
    const member = await memberOf(tx, teamId, input.userId);
    if (member.role === "OWNER" && callerRole !== "OWNER") throw new WharfError("FORBIDDEN", "Only an owner can change an owner's role.");
    const environmentIds = await checkGrant(tx, teamId, callerRole, input);
    if (member.role === "OWNER" && input.role !== "OWNER") await assertNotLastOwner(tx, teamId, `Making ${member.user.email} ${roleName(input.role)}`);
    await writeGrant(tx, teamId, input.userId, input.role, environmentIds);
    await recordAudit(tx, {
      teamId,
      actor,
      action: "member.role",
      targetType: "user",
      targetId: input.userId,
      summary: `Changed ${member.user.email} from ${roleName(member.role)} to ${roleName(input.role)}${environmentIds ? ` in ${environmentIds.length} environment(s)` : ""}`,
      data: { from: member.role, to: input.role, environmentIds },
    });
  });
}

export async function removeMember(deps: WharfDeps, teamId: string, actor: Actor, callerRole: Role, userId: string) {
  await deps.db.$transaction(async (tx) => {
    await lockTeam(tx, teamId);
    const member = await memberOf(tx, teamId, userId);
    if (member.role === "OWNER" && callerRole !== "OWNER") throw new WharfError("FORBIDDEN", "Only an owner can remove an owner.");
    if (member.role === "OWNER") await assertNotLastOwner(tx, teamId, `Removing ${member.user.email}`);
    await tx.membership.delete({ where: { userId_teamId: { userId, teamId } } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "member.remove",
      targetType: "user",
      targetId: userId,
      summary: `Removed ${member.user.email} (${roleName(member.role)}) from the team`,
    });
  });
}

export async function leaveTeam(deps: WharfDeps, teamId: string, actor: Actor & { id: string }) {
  await deps.db.$transaction(async (tx) => {
    await lockTeam(tx, teamId);
    const member = await memberOf(tx, teamId, actor.id);
    if (member.role === "OWNER") await assertNotLastOwner(tx, teamId, "Leaving");
    await tx.membership.delete({ where: { userId_teamId: { userId: actor.id, teamId } } });
    await recordAudit(tx, { teamId, actor, action: "member.leave", targetType: "user", targetId: actor.id, summary: `${member.user.email} left the team` });
  });
}

/** The new owner gets the owner role for the whole team; the current owner becomes an admin. */
export async function transferOwnership(deps: WharfDeps, teamId: string, actor: Actor & { id: string }, toUserId: string) {
  if (toUserId === actor.id) throw new WharfError("BAD_REQUEST", "You already own this team: choose another member.");
  await deps.db.$transaction(async (tx) => {
    await lockTeam(tx, teamId);
    const current = await memberOf(tx, teamId, actor.id);
    if (current.role !== "OWNER") throw new WharfError("FORBIDDEN", "Only an owner can transfer ownership.");
    const next = await memberOf(tx, teamId, toUserId);
    await writeGrant(tx, teamId, toUserId, "OWNER", null);
    await writeGrant(tx, teamId, actor.id, "ADMIN", null);
    await recordAudit(tx, {
      teamId,
      actor,
      action: "team.transfer",
      targetType: "user",
      targetId: toUserId,
      summary: `Transferred ownership to ${next.user.email} (was ${roleName(next.role)}); ${current.user.email} is now an admin`,
    });
  });
}
