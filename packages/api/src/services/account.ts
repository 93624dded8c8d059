import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { REDACTED } from "../lib/redact";
import { type Actor, recordUserAudit } from "./audit";
import { endOtherSessions } from "./sessions";
import { passwordSchema } from "./setup";
import { disableTotp } from "./two-factor";

type SignedInActor = Actor & { id: string };

export async function getProfile(deps: WharfDeps, userId: string) {
  const user = await deps.db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, name: true, passwordHash: true, oidcIssuer: true, totpEnabledAt: true, recoveryCodes: { where: { usedAt: null }, select: { id: true } } },
  });
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    hasPassword: user.passwordHash !== null,
    oidc: user.oidcIssuer !== null,
    twoFactor: user.totpEnabledAt !== null,
    recoveryCodesLeft: user.recoveryCodes.length,
  };
}

export const updateProfileInput = z.object({ name: z.string().trim().min(1, "Enter your name.").max(100, "Use at most 100 characters.") });

export async function updateProfile(deps: WharfDeps, actor: SignedInActor, input: z.infer<typeof updateProfileInput>): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: actor.id }, select: { name: true } });
    if (before.name === input.name) return;
    await tx.user.update({ where: { id: actor.id }, data: { name: input.name } });
    await recordUserAudit(tx, actor.id, {
      actor,
      action: "account.update",
      targetType: "user",
      targetId: actor.id,
      summary: `${actor.label} renamed themselves to ${input.name}`,
      changes: { name: { from: before.name, to: input.name } },
    });
  });
}

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(200),
  newPassword: passwordSchema,
});

/** Throws unless `password` is the account's password (an account without one, signing in through OIDC, has none to give). */
async function confirmPassword(deps: WharfDeps, userId: string, password: string): Promise<void> {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!user.passwordHash) throw new WharfError("PRECONDITION_FAILED", "This account signs in through your identity provider and has no Wharf password.");
  const valid = await verify(user.passwordHash, password).catch(() => false);
  if (!valid) throw new WharfError("FORBIDDEN", "Your current password is not right.");
}

/** Sets a new password and signs out every other session of the account. */
export async function changePassword(deps: WharfDeps, actor: SignedInActor, currentSessionId: string | undefined, input: z.infer<typeof changePasswordInput>): Promise<{ endedSessions: number }> {
  await confirmPassword(deps, actor.id, input.currentPassword);
  const passwordHash = await hash(input.newPassword);
  return deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    const endedSessions = await endOtherSessions(tx, actor.id, currentSessionId);
    await recordUserAudit(tx, actor.id, {
      actor,
      action: "account.password_change",
      targetType: "user",
      targetId: actor.id,
      summary: `${actor.label} changed their password; ${endedSessions} other session${endedSessions === 1 ? "" : "s"} signed out`,
      changes: { password: { from: REDACTED, to: REDACTED } },
    });
    return { endedSessions };
  });
}

export const disableTwoFactorInput = z.object({ password: z.string().min(1, "Enter your password.").max(200) });

export async function disableTwoFactor(deps: WharfDeps, actor: SignedInActor, input: z.infer<typeof disableTwoFactorInput>): Promise<void> {
  await confirmPassword(deps, actor.id, input.password);
  await disableTotp(deps, actor);
}
