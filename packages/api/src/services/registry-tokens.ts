/**
 * ECR authorization tokens, cached sealed in Postgres and shared by every
 * process. A token is used until an hour before it expires (a pull starting
 * just before still has an hour), then fetched again at use time: one fetch
 * per registry at a time, in this process (single flight) and across
 * processes (an advisory lock, with the row read again once it is held).
 */
import type { WharfDeps } from "../deps";
import { type EcrAuthorization, type EcrSettings, fetchEcrAuthorization } from "./ecr";

export const REFRESH_BEFORE_EXPIRY_MS = 60 * 60 * 1000;
const REFRESH_TX_TIMEOUT_MS = 60_000;

const inFlight = new Map<string, Promise<EcrAuthorization>>();

function fresh(expiresAt: Date): boolean {
  return expiresAt.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
}

async function cached(deps: WharfDeps, registryId: string, db: Pick<WharfDeps["db"], "registryToken"> = deps.db): Promise<EcrAuthorization | null> {
  const row = await db.registryToken.findUnique({ where: { registryId }, select: { endpoint: true, tokenEnc: true, expiresAt: true } });
  if (row === null) return null;
  // A token past its life is not kept, even sealed.
  if (row.expiresAt.getTime() <= Date.now()) await db.registryToken.deleteMany({ where: { registryId } });
  if (!fresh(row.expiresAt)) return null;
  const opened = deps.secrets.open(row.tokenEnc);
  const colon = opened.indexOf(":");
  return { endpoint: row.endpoint, username: opened.slice(0, colon), password: opened.slice(colon + 1), expiresAt: row.expiresAt };
}

async function refresh(deps: WharfDeps, registryId: string, settings: EcrSettings): Promise<EcrAuthorization> {
  return deps.db.$transaction(
    async (tx) => {
      // Released with the transaction; a second process waits here, then finds the new row.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`registry-token:${registryId}`}, 0))`;
      const current = await cached(deps, registryId, tx);
      if (current !== null) return current;
      const token = await fetchEcrAuthorization(settings);
      const data = { endpoint: token.endpoint, tokenEnc: deps.secrets.seal(`${token.username}:${token.password}`), expiresAt: token.expiresAt };
      await tx.registryToken.upsert({ where: { registryId }, create: { registryId, ...data }, update: data });
      // Images are named after the endpoint the token is for.
      await tx.registry.update({ where: { id: registryId }, data: { address: new URL(token.endpoint).host } });
      return token;
    },
    { timeout: REFRESH_TX_TIMEOUT_MS, maxWait: REFRESH_TX_TIMEOUT_MS },
  );
}

/** A token valid for at least another hour, from the cache or fetched now. */
export async function ecrAuthorization(deps: WharfDeps, registryId: string, settings: EcrSettings): Promise<EcrAuthorization> {
  const hit = await cached(deps, registryId);
  if (hit !== null) return hit;
  const running = inFlight.get(registryId);
  if (running) return running;
  const started = refresh(deps, registryId, settings).finally(() => inFlight.delete(registryId));
  inFlight.set(registryId, started);
  return started;
}

/** Drops the cached token (credentials changed: the old token belongs to the old identity). */
export async function forgetEcrAuthorization(deps: WharfDeps, registryId: string): Promise<void> {
  await deps.db.registryToken.deleteMany({ where: { registryId } });
}
