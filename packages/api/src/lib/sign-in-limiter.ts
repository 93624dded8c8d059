import { createHash } from "node:crypto";

import pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Slows password guessing down without letting a stranger lock anyone out.
 * Failures are counted per account+address pair and per address (credential
 * stuffing); past a few free failures each key must wait, longer after every
 * further failure. Nothing is counted per account alone: failures from other
 * addresses never delay the account's owner at theirs.
 *
 * State lives in Postgres (table "SignInLimit", rate-limiter-flexible's
 * layout) so every web replica sees the same counts.
 */
export interface SignInLimits {
  /** Failures a pair may make before it must wait. */
  freePerPair: number;
  /** Failures an address may make, over all accounts, before it must wait. */
  freePerAddress: number;
  /** The first wait; each further failure doubles it. */
  baseWaitSeconds: number;
  maxWaitSeconds: number;
  /** Failures older than this no longer count. */
  windowSeconds: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  freePerPair: 5,
  freePerAddress: 30,
  baseWaitSeconds: 30,
  maxWaitSeconds: 15 * 60,
  windowSeconds: 60 * 60,
};

export interface SignInKeys {
  account: string;
  address: string;
}

export type SignInGate = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const TABLE = "SignInLimit";

export class SignInLimiter {
  private readonly pool: pg.Pool;
  private readonly failures: RateLimiterPostgres;
  /** One row per waiting key; `consume` on it is the atomic "one attempt at a time" gate. */
  private readonly waits: RateLimiterPostgres;

  constructor(
    databaseUrl: string,
    readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, allowExitOnIdle: true, application_name: "wharf-sign-in-limiter" });
    // The table comes from a migration; the library must not create its own.
    const store = { storeClient: this.pool, tableName: TABLE, tableCreated: true };
    this.failures = new RateLimiterPostgres({ ...store, keyPrefix: "failures", points: Number.MAX_SAFE_INTEGER, duration: limits.windowSeconds });
    // A waiting key lets one attempt through per second once its wait is over, so concurrent guesses cannot all pass at once.
    this.waits = new RateLimiterPostgres({ ...store, keyPrefix: "wait", points: 1, duration: 1 });
  }

  /** Call before checking a password: whether this attempt may proceed now. */
  async admit(keys: SignInKeys): Promise<SignInGate> {
    const [pairFailures, addressFailures] = await Promise.all([this.failureCount(pairKey(keys)), this.failureCount(addressKey(keys))]);
    const gated = [
      ...(pairFailures >= this.limits.freePerPair ? [pairKey(keys)] : []),
      ...(addressFailures >= this.limits.freePerAddress ? [addressKey(keys)] : []),
    ];
    let retryAfterMs = 0;
    for (const key of gated) {
      try {
        await this.waits.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        retryAfterMs = Math.max(retryAfterMs, error.msBeforeNext);
      }
    }
    return retryAfterMs > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) } : { allowed: true };
  }

  /** Records a wrong password; returns how long the pair must now wait (0 while failures are still free). */
  async recordFailure(keys: SignInKeys): Promise<number> {
    const [pair, address] = await Promise.all([this.failures.penalty(pairKey(keys)), this.failures.penalty(addressKey(keys))]);
    const waits = [
      await this.waitAfter(pairKey(keys), pair.consumedPoints, this.limits.freePerPair),
      await this.waitAfter(addressKey(keys), address.consumedPoints, this.limits.freePerAddress),
    ];
    return Math.max(...waits);
  }

  /** A right password clears the pair (not the address, which may be shared). */
  async recordSuccess(keys: SignInKeys): Promise<void> {
    await Promise.all([this.failures.delete(pairKey(keys)), this.waits.delete(pairKey(keys))]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async failureCount(key: string): Promise<number> {
    return (await this.failures.get(key))?.consumedPoints ?? 0;
  }

  private async waitAfter(key: string, failures: number, free: number): Promise<number> {
    if (failures < free) return 0;
    const seconds = Math.min(this.limits.baseWaitSeconds * 2 ** (failures - free), this.limits.maxWaitSeconds);
    await this.waits.block(key, seconds);
    return seconds;
  }
}

// Hashed: an account name as typed can be longer than the key column.
const pairKey = (keys: SignInKeys): string => `pair:${keys.address}|${createHash("sha256").update(keys.account).digest("base64url")}`;
const addressKey = (keys: SignInKeys): string => `address:${keys.address}`;
