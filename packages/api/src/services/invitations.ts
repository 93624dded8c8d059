import { createHash, randomBytes } from "node:crypto";

import { hash } from "@node-rs/argon2";
import type { Prisma, Role } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type Actor, recordAudit } from "./audit";
import { passwordSchema } from "./setup";
import { checkGrant, roleGrantInput, writeGrant } from "./teams";

const HOUR_MS = 60 * 60 * 1000;

export const createInvitationInput = roleGrantInput.extend({
  /** How long the link works: from one hour to thirty days. */
  expiresInHours: z.number().int().min(1, "A link works for at least one hour.").max(720, "A link works for at most 30 days.").default(72),
  note: z.string().trim().max(200).default(""),
});
export const invitationRef = z.object({ invitationId: z.string().min(1) });
export const invitationToken = z.object({ token: z.string().min(20, "The invitation link is incomplete: copy the whole link.").max(200) });
export const signUpWithInvitationInput = invitationToken.extend({
  name: z.string().trim().min(1, "Enter your name.").max(100),
  email: z.email("Enter a valid email address.").trim().toLowerCase(),
  password: passwordSchema,
});

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/invite/${token}`;
}

/** The link is returned once, here; only its hash is stored. */
export async function createInvitation(deps: WharfDeps, teamId: string, actor: Actor, callerRole: Role, input: z.infer<typeof createInvitationInput>) {
  const token = randomBytes(32).toString("base64url");
  const invitation = await deps.db.$transaction(async (tx) => {
    const environmentIds = await checkGrant(tx, teamId, callerRole, input);
    const created = await tx.invitation.create({
      data: {
        teamId,
        role: input.role,
        environmentScoped: environmentIds !== null,
        environmentIds: environmentIds ?? [],
        note: input.note,
        tokenHash: sha256(token),
        expiresAt: new Date(Date.now() + input.expiresInHours * HOUR_MS),
        invitedById: actor.id,
        invitedByLabel: actor.label,
      },
      select: { id: true, role: true, expiresAt: true },
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "invitation.create",
      targetType: "invitation",
      targetId: created.id,
      summary: `Invited a ${created.role.toLowerCase()}${environmentIds ? ` for ${environmentIds.length} environment(s)` : ""}${input.note ? ` (${input.note})` : ""}, link valid until ${created.expiresAt.toISOString()}`,
    });
    return created;
  });
  return { ...invitation, url: invitationUrl(deps.config.publicUrl, token) };
}

/** Invitations not yet accepted, revoked or expired. */
export async function listPendingInvitations(deps: WharfDeps, teamId: string) {
  return deps.db.invitation.findMany({
    where: { teamId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, role: true, environmentScoped: true, environmentIds: true, note: true, invitedByLabel: true, expiresAt: true, createdAt: true },
  });
}

export async function revokeInvitation(deps: WharfDeps, teamId: string, actor: Actor, invitationId: string) {
  await deps.db.$transaction(async (tx) => {
    const revoked = await tx.invitation.updateMany({
      where: { id: invitationId, teamId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) {
      const invitation = await tx.invitation.findFirst({ where: { id: invitationId, teamId }, select: { acceptedAt: true } });
      if (!invitation) throw notFound("That invitation");
      throw new WharfError("CONFLICT", invitation.acceptedAt ? "That invitation was already accepted: remove the member instead." : "That invitation was already revoked.");
    }
    await recordAudit(tx, { teamId, actor, action: "invitation.revoke", targetType: "invitation", targetId: invitationId, summary: "Revoked an invitation" });
  });
}

type Invitation = Prisma.InvitationGetPayload<{ select: typeof invitationSelect }>;
const invitationSelect = {
  id: true,
  teamId: true,
  role: true,
  environmentScoped: true,
  environmentIds: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  team: { select: { name: true } },
} satisfies Prisma.InvitationSelect;

/** The invitation a link names, if it can still be used; a clear error saying why not otherwise. */
async function usableInvitation(db: WharfDeps["db"] | Prisma.TransactionClient, token: string): Promise<Invitation> {
  const invitation = await db.invitation.findUnique({ where: { tokenHash: sha256(token) }, select: invitationSelect });
  if (!invitation) throw new WharfError("NOT_FOUND", "This invitation link is not valid: ask the team for a new one.", "INVITATION_INVALID");
  if (invitation.acceptedAt) throw new WharfError("CONFLICT", "This invitation link was already used: ask the team for a new one.", "INVITATION_USED");
  if (invitation.revokedAt) throw new WharfError("FORBIDDEN", "This invitation was revoked: ask the team for a new one.", "INVITATION_REVOKED");
  if (invitation.expiresAt <= new Date()) throw new WharfError("FORBIDDEN", "This invitation link has expired: ask the team for a new one.", "INVITATION_EXPIRED");
  return invitation;
}

/** What the invitation page shows before accepting: the team and the role. */
export async function previewInvitation(deps: WharfDeps, token: string) {
  const invitation = await usableInvitation(deps.db, token);
  return { teamName: invitation.team.name, role: invitation.role, environmentScoped: invitation.environmentScoped, expiresAt: invitation.expiresAt };
}

/** Consumes the invitation (exactly once, whoever races for it) and grants its role to the user. */
async function acceptWithin(tx: Prisma.TransactionClient, invitation: Invitation, user: { id: string; email: string }) {
  const existing = await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: invitation.teamId } }, select: { role: true } });
  if (existing) {
    throw new WharfError("CONFLICT", `You are already a member of ${invitation.team.name} (${existing.role.toLowerCase()}); the link stays unused.`, "ALREADY_MEMBER");
  }
  const consumed = await tx.invitation.updateMany({
    where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { acceptedAt: new Date(), acceptedById: user.id },
  });
  if (consumed.count !== 1) throw new WharfError("CONFLICT", "This invitation link was already used: ask the team for a new one.", "INVITATION_USED");
  // Environments removed since the invitation was made are dropped: the grant only narrows.
  const environmentIds = invitation.environmentScoped
    ? (await tx.environment.findMany({ where: { teamId: invitation.teamId, id: { in: invitation.environmentIds } }, select: { id: true } })).map((e) => e.id)
    : null;
  await writeGrant(tx, invitation.teamId, user.id, invitation.role, environmentIds);
  await recordAudit(tx, {
    teamId: invitation.teamId,
    actor: { id: user.id, label: user.email },
    action: "invitation.accept",
    targetType: "invitation",
    targetId: invitation.id,
    summary: `${user.email} joined as ${invitation.role.toLowerCase()}${environmentIds ? ` in ${environmentIds.length} environment(s)` : ""}`,
  });
  return { teamId: invitation.teamId, teamName: invitation.team.name, role: invitation.role };
}

export async function acceptInvitation(deps: WharfDeps, userId: string, token: string) {
  return deps.db.$transaction(async (tx) => {
    const invitation = await usableInvitation(tx, token);
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, email: true } });
    return acceptWithin(tx, invitation, user);
  });
}

/** A new account created through an invitation: the user and their membership, or neither. */
export async function signUpWithInvitation(deps: WharfDeps, input: z.infer<typeof signUpWithInvitationInput>) {
  await usableInvitation(deps.db, input.token);
  // Hashed only once the link is known good (and outside the transaction: argon2 takes a while).
  const passwordHash = await hash(input.password);
  return deps.db.$transaction(async (tx) => {
    const invitation = await usableInvitation(tx, input.token);
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new WharfError("CONFLICT", "An account with this email already exists: sign in, then open the invitation link again.", "EMAIL_TAKEN");
    }
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash }, select: { id: true, email: true } });
    return { ...(await acceptWithin(tx, invitation, user)), email: user.email };
  });
}
