import type { Role } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { roleForGroups } from "../lib/oidc-roles";
import { recordAudit } from "./audit";
import type { SignedInUser } from "./auth";

export interface OidcSettings {
  issuer: string;
  /** Group name -> role in the team below. */
  roleMap: Record<string, Role>;
  /** The team OIDC users join (its slug); the oldest team when unset. */
  teamSlug: string | null;
}

export interface OidcIdentity {
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
  address: string | null;
}

/**
 * An OIDC sign-in: finds the account by issuer and subject (or links the one
 * with the same verified email, or creates one) and sets its role in the team
 * from its groups, every time, so a change at the provider applies at the next
 * sign-in. Refused when no group maps to a role.
 */
export async function signInWithOidc(deps: WharfDeps, settings: OidcSettings, identity: OidcIdentity): Promise<SignedInUser> {
  const team = await deps.db.team.findFirst({
    where: settings.teamSlug ? { slug: settings.teamSlug } : {},
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  if (!team) throw new WharfError("PRECONDITION_FAILED", settings.teamSlug ? `No team has the slug ${settings.teamSlug} (WHARF_OIDC_TEAM).` : "Wharf has no team yet: finish the setup first.");
  const email = identity.email.trim().toLowerCase();
  const role = roleForGroups(settings.roleMap, identity.groups);
  if (!role) {
    await recordAudit(deps.db, {
      teamId: team.id,
      actor: { id: null, label: `anonymous (${identity.address ?? "unknown"})`, source: "BROWSER", address: identity.address },
      action: "auth.signin_failed",
      targetType: "user",
      summary: `Refused an OIDC sign-in as ${email.slice(0, 200)}: none of its groups maps to a role`,
      data: { email: email.slice(0, 200), reason: "no mapped group", groups: identity.groups.slice(0, 50) },
    });
    throw new WharfError("FORBIDDEN", "Your identity provider's groups grant no role in Wharf: ask an administrator to add you to a mapped group.");
  }
  return deps.db.$transaction(async (tx) => {
    const linked = await tx.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: settings.issuer, oidcSubject: identity.subject } } });
    const byEmail = linked ? null : await tx.user.findUnique({ where: { email } });
    if (byEmail && !identity.emailVerified) {
      throw new WharfError("FORBIDDEN", `An account with ${email} exists, but your identity provider has not verified that address: ask it to, or sign in with your password.`);
    }
    const user =
      linked ??
      (byEmail
        ? await tx.user.update({ where: { id: byEmail.id }, data: { oidcIssuer: settings.issuer, oidcSubject: identity.subject } })
        : await tx.user.create({ data: { email, name: identity.name ?? email, passwordHash: null, oidcIssuer: settings.issuer, oidcSubject: identity.subject } }));
    const actor = { id: user.id, label: user.email, name: user.name, source: "BROWSER" as const, address: identity.address };
    const membership = await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, select: { role: true } });
    if (membership?.role !== role) {
      // The team's last owner keeps the role: the provider's groups cannot leave a team without an owner.
      const lastOwner = membership?.role === "OWNER" && (await tx.membership.count({ where: { teamId: team.id, role: "OWNER" } })) === 1;
      if (!lastOwner) {
        await tx.membership.upsert({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, create: { userId: user.id, teamId: team.id, role }, update: { role } });
        await recordAudit(tx, {
          teamId: team.id,
          actor,
          action: "member.role_from_oidc",
          targetType: "user",
          targetId: user.id,
          summary: `${user.email} ${membership ? "now has" : "joined with"} the role ${role.toLowerCase()} from their identity provider's groups`,
          changes: { role: { from: membership?.role ?? null, to: role } },
          data: { groups: identity.groups.slice(0, 50) },
        });
      }
    }
    await recordAudit(tx, { teamId: team.id, actor, action: "auth.signin_oidc", targetType: "user", targetId: user.id, summary: `${user.email} signed in through ${settings.issuer}` });
    return { id: user.id, email: user.email, name: user.name };
  });
}
