import { randomBytes } from "node:crypto";

import { hash, verify } from "@node-rs/argon2";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";

// Per account+address, and per address across accounts (credential stuffing).
// The address comes from a header a client can forge when no proxy sets it,
// so a looser per-account limit bounds guessing whatever address is claimed.
const perAccount = new RateLimiterMemory({ points: 5, duration: 60, blockDuration: 60 });
const perAddress = new RateLimiterMemory({ points: 30, duration: 60, blockDuration: 120 });
const perEmail = new RateLimiterMemory({ points: 20, duration: 600, blockDuration: 600 });

// Verifying unknown emails against a real hash keeps them as slow as known
// ones, so response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;
const getDummyHash = (): Promise<string> => (dummyHash ??= hash(randomBytes(16)));

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string | null;
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
}

/** Checks a password; rate-limited. Returns null for a wrong email or password. */
export async function authenticate(deps: WharfDeps, attempt: SignInAttempt): Promise<SignedInUser | null> {
  const email = attempt.email.trim().toLowerCase();
  const ip = attempt.ip ?? "unknown";
  try {
    await Promise.all([perAccount.consume(`${ip}|${email}`), perAddress.consume(ip), perEmail.consume(email)]);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      const seconds = Math.ceil(error.msBeforeNext / 1000);
      throw new WharfError("TOO_MANY_REQUESTS", `Too many sign-in attempts. Try again in ${seconds} s.`);
    }
    throw error;
  }
  const user = await deps.db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true } });
  const valid = await verify(user?.passwordHash ?? (await getDummyHash()), attempt.password).catch(() => false);
  if (!user || !valid) return null;
  await perAccount.delete(`${ip}|${email}`);
  return { id: user.id, email: user.email, name: user.name };
}
