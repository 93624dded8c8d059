import { createHash } from "node:crypto";

import { Prisma } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";

interface StoredAnswer {
  status: number;
  body: unknown;
}

interface ClaimInput {
  teamId: string;
  caller: string;
  key: string;
  /** The request as sent (method, path, body): a key reused for another request is refused. */
  request: string;
}

const keyFormat = /^[\w.:-]{1,200}$/;
/** Keys are kept a day: long enough for any pipeline's retries. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Claims an Idempotency-Key for this caller: returns the stored answer when the
 * same request was already answered, refuses the key while the first request
 * still runs or when it came with another request, else claims it.
 */
export async function claimIdempotencyKey(deps: WharfDeps, input: ClaimInput): Promise<{ id: Prisma.IdempotencyKeyTeamIdCallerKeyCompoundUniqueInput; stored: StoredAnswer | null }> {
  if (!keyFormat.test(input.key)) {
    throw new WharfError("BAD_REQUEST", "The Idempotency-Key header must be 1 to 200 letters, digits, dots, dashes, colons or underscores (a UUID works).");
  }
  const id = { teamId: input.teamId, caller: input.caller, key: input.key };
  const requestHash = createHash("sha256").update(input.request).digest("hex");
  await deps.db.idempotencyKey.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEEP_MS) } } });
  try {
    await deps.db.idempotencyKey.create({ data: { ...id, requestHash } });
    return { id, stored: null };
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
  }
  const row = await deps.db.idempotencyKey.findUnique({ where: { teamId_caller_key: id }, select: { requestHash: true, response: true } });
  if (!row) return claimIdempotencyKey(deps, input);
  if (row.requestHash !== requestHash) {
    throw new WharfError("CONFLICT", "This Idempotency-Key was already used for a different request: send a new key for a new request.", "IDEMPOTENCY_KEY_REUSED");
  }
  if (row.response === null) throw new WharfError("CONFLICT", "A request with this Idempotency-Key is still running: retry in a moment.", "IDEMPOTENCY_KEY_IN_USE");
  return { id, stored: row.response as unknown as StoredAnswer };
}

export async function storeIdempotentResponse(deps: WharfDeps, id: Prisma.IdempotencyKeyTeamIdCallerKeyCompoundUniqueInput, answer: StoredAnswer): Promise<void> {
  await deps.db.idempotencyKey.update({ where: { teamId_caller_key: id }, data: { response: answer as unknown as Prisma.InputJsonValue } });
}

export async function forgetIdempotencyKey(deps: WharfDeps, id: Prisma.IdempotencyKeyTeamIdCallerKeyCompoundUniqueInput): Promise<void> {
  await deps.db.idempotencyKey.deleteMany({ where: id });
}
