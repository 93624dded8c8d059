import { createHash, randomBytes } from "node:crypto";

import type { Prisma } from "@wharf/db";
import { generateSecret, generateURI, verify as verifyTotp } from "otplib";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { type Actor, recordUserAudit } from "./audit";

export const RECOVERY_CODE_COUNT = 10;
/** A code from the previous or next 30-second window still counts: phones' clocks drift. */
const TOTP_TOLERANCE_SECONDS = 30;

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");
/** Recovery codes are typed by hand: case, spaces and dashes do not matter. */
const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, "");

/** Ten random characters from an alphabet without look-alikes, shown as xxxxx-xxxxx (50 bits each). */
function newRecoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const chars = [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length] ?? "a").join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Starts enrolment: a new secret, stored sealed but not in force until a code from it is confirmed. */
export async function beginTotp(deps: WharfDeps, userId: string): Promise<{ secret: string; uri: string }> {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new WharfError("CONFLICT", "Two-factor sign-in is already on: turn it off first to enrol another device.");
  const secret = generateSecret();
  await deps.db.user.update({ where: { id: userId }, data: { totpSecretEnc: deps.secrets.seal(secret), totpLastStep: null } });
  return { secret, uri: generateURI({ issuer: "Wharf", label: user.email, secret }) };
}

/** Confirms enrolment with a code from the app; returns the recovery codes, shown this once. */
export async function enableTotp(deps: WharfDeps, actor: Actor & { id: string }, code: string): Promise<{ recoveryCodes: string[] }> {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecretEnc: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new WharfError("CONFLICT", "Two-factor sign-in is already on.");
  if (!user.totpSecretEnc) throw new WharfError("PRECONDITION_FAILED", "Start the set-up first: no authenticator secret was issued.");
  const step = await totpStep(deps.secrets.open(user.totpSecretEnc), code, null);
  if (step === null) throw new WharfError("BAD_REQUEST", "That code is not right: check your authenticator app's clock and enter the current code.");
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { totpEnabledAt: new Date(), totpLastStep: step } });
    await replaceRecoveryCodes(tx, actor.id, recoveryCodes);
    await recordTwoFactorChange(tx, actor, true);
  });
  return { recoveryCodes };
}

export async function disableTotp(deps: WharfDeps, actor: Actor & { id: string }): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null } });
    await tx.recoveryCode.deleteMany({ where: { userId: actor.id } });
    await recordTwoFactorChange(tx, actor, false);
  });
}

function recordTwoFactorChange(tx: Prisma.TransactionClient, actor: Actor & { id: string }, on: boolean): Promise<void> {
  return recordUserAudit(tx, actor.id, {
    actor,
    action: on ? "account.two_factor_enable" : "account.two_factor_disable",
    targetType: "user",
    targetId: actor.id,
    summary: `${actor.label} turned two-factor sign-in ${on ? "on" : "off"}`,
    changes: { twoFactor: { from: !on, to: on } },
  });
}

async function replaceRecoveryCodes(tx: Prisma.TransactionClient, userId: string, codes: string[]): Promise<void> {
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: sha256(normalizeRecoveryCode(code)) })) });
}

/** The time step the code belongs to, or null when it is wrong or not newer than `afterStep` (a code is good once). */
async function totpStep(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verifyTotp({
    secret,
    token: code,
    epochTolerance: TOTP_TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // verify() also serves HOTP, whose results have no time step.
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/**
 * The second factor at sign-in: a current authenticator code (each accepted
 * once) or an unused recovery code (then used up).
 */
export async function checkSecondFactor(deps: WharfDeps, user: { id: string; totpSecretEnc: Uint8Array; totpLastStep: number | null }, code: string): Promise<boolean> {
  const typed = code.trim();
  if (/^\d{6}$/.test(typed)) {
    const step = await totpStep(deps.secrets.open(user.totpSecretEnc), typed, user.totpLastStep);
    if (step === null) return false;
    // Conditional, so two requests with the same code cannot both pass.
    const claimed = await deps.db.user.updateMany({
      where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return claimed.count === 1;
  }
  const used = await deps.db.recoveryCode.updateMany({
    where: { userId: user.id, codeHash: sha256(normalizeRecoveryCode(typed)), usedAt: null },
    data: { usedAt: new Date() },
  });
  return used.count === 1;
}
