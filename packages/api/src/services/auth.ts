import { randomBytes } from "node:crypto";

import { hash, verify } from "@node-rs/argon2";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { TWO_FACTOR_REQUIRED } from "../lib/sign-in-messages";
import { recordUserAudit } from "./audit";
import { checkSecondFactor } from "./two-factor";

// Verifying unknown emails against a real hash keeps them as slow as known
// ones, so response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;
const getDummyHash = (): Promise<string> => (dummyHash ??= hash(randomBytes(16)));

export interface SignInAttempt {
  email: string;
  password: string;
  /** The authenticator or recovery code, for an account with two-factor sign-in on. */
  code?: string | null;
  /** The client address the server believes (see the web app's trusted proxy setting); null when unknown. */
  ip: string | null;
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
}

/**
 * Checks a password, and the second factor when the account has one. Returns
 * null for a wrong email, password or code; throws UNAUTHORIZED with
 * TWO_FACTOR_REQUIRED when the password was right but no code came, and
 * TOO_MANY_REQUESTS while this address must wait (see SignInLimiter).
 */
export async function authenticate(deps: WharfDeps, attempt: SignInAttempt): Promise<SignedInUser | null> {
  const email = attempt.email.trim().toLowerCase();
  const keys = { account: email, address: attempt.ip ?? "unknown" };
  const gate = await deps.signIn.admit(keys);
  if (!gate.allowed) {
    throw new WharfError("TOO_MANY_REQUESTS", `Too many failed sign-ins from your address. Try again in ${gate.retryAfterSeconds} s.`);
  }
  const user = await deps.db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, totpSecretEnc: true, totpEnabledAt: true, totpLastStep: true },
  });
  const valid = await verify(user?.passwordHash ?? (await getDummyHash()), attempt.password).catch(() => false);
  let reason = user ? "wrong password" : "unknown account";
  if (user && valid) {
    const secondFactor = user.totpEnabledAt && user.totpSecretEnc ? { ...user, totpSecretEnc: user.totpSecretEnc } : null;
    if (secondFactor && !attempt.code) throw new WharfError("UNAUTHORIZED", TWO_FACTOR_REQUIRED, "TWO_FACTOR_REQUIRED");
    if (!secondFactor || (attempt.code && (await checkSecondFactor(deps, secondFactor, attempt.code)))) {
      await deps.signIn.recordSuccess(keys);
      return { id: user.id, email: user.email, name: user.name };
    }
    reason = "wrong two-factor code";
  }
  const waitSeconds = await deps.signIn.recordFailure(keys);
  await recordFailedSignIn(deps, { email, userId: user?.id ?? null, address: keys.address, reason, waitSeconds });
  return null;
}

/** One audit row per team of the account (so its owners see it), or one without a team for an unknown account. Never the password. */
async function recordFailedSignIn(deps: WharfDeps, failure: { email: string; userId: string | null; address: string; reason: string; waitSeconds: number }): Promise<void> {
  const email = failure.email.slice(0, 200);
  const wait = failure.waitSeconds > 0 ? `; this address now waits ${failure.waitSeconds} s between attempts` : "";
  await recordUserAudit(deps.db, failure.userId, {
    actor: { id: null, label: `anonymous (${failure.address})`, source: "BROWSER", address: failure.address },
    action: "auth.signin_failed",
    targetType: "user",
    targetId: failure.userId,
    summary: `Failed sign-in as ${email} from ${failure.address} (${failure.reason})${wait}`,
    data: { email, address: failure.address, reason: failure.reason, waitSeconds: failure.waitSeconds },
  });
}
