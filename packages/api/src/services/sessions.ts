import { randomBytes } from "node:crypto";

import type { Prisma } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { type Actor, recordUserAudit } from "./audit";

/** Last-use times are rewritten at most this often per session: a busy page must not write on every call. */
export const LAST_USE_RESOLUTION_MS = 60_000;

export interface NewSession {
  userId: string;
  method: "password" | "oidc";
  userAgent: string | null;
  address: string | null;
}

/** A server-side session; its id goes into the signed session cookie. */
export async function createSession(deps: WharfDeps, session: NewSession): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await deps.db.session.create({
    data: { id, userId: session.userId, method: session.method, userAgent: session.userAgent?.slice(0, 500) ?? null, address: session.address },
  });
  return id;
}

/**
 * Whether the cookie's session still exists (it is gone once revoked, or
 * after a password change), noting its use. Called on every request.
 */
export async function touchSession(deps: WharfDeps, userId: string, sessionId: string): Promise<boolean> {
  const now = new Date();
  const session = await deps.db.session.findUnique({ where: { id: sessionId }, select: { userId: true, lastUsedAt: true } });
  if (!session || session.userId !== userId) return false;
  if (now.getTime() - session.lastUsedAt.getTime() >= LAST_USE_RESOLUTION_MS) {
    await deps.db.session.updateMany({ where: { id: sessionId, lastUsedAt: session.lastUsedAt }, data: { lastUsedAt: now } });
  }
  return true;
}

/** The tRPC session for a cookie's claims: null unless its session row still exists. */
export async function resolveSession(deps: WharfDeps, claims: { userId: string; sessionId: string } | null): Promise<{ userId: string; sessionId: string } | null> {
  if (!claims?.userId || !claims.sessionId) return null;
  return (await touchSession(deps, claims.userId, claims.sessionId)) ? claims : null;
}

export async function listSessions(deps: WharfDeps, userId: string, currentSessionId: string | undefined) {
  const sessions = await deps.db.session.findMany({
    where: { userId },
    orderBy: { lastUsedAt: "desc" },
    select: { id: true, method: true, userAgent: true, address: true, createdAt: true, lastUsedAt: true },
  });
  return sessions.map((session) => ({ ...session, current: session.id === currentSessionId }));
}

export async function revokeSession(deps: WharfDeps, actor: Actor & { id: string }, sessionId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const removed = await tx.session.deleteMany({ where: { id: sessionId, userId: actor.id } });
    if (removed.count === 0) throw new WharfError("NOT_FOUND", "That session no longer exists: reload the list.");
    await recordUserAudit(tx, actor.id, { actor, action: "session.revoke", targetType: "user", targetId: actor.id, summary: `${actor.label} signed a session out` });
  });
}

/** Ends every session of the user but the current one; returns how many ended. */
export async function revokeOtherSessions(deps: WharfDeps, actor: Actor & { id: string }, currentSessionId: string | undefined): Promise<number> {
  return deps.db.$transaction(async (tx) => {
    const count = await endOtherSessions(tx, actor.id, currentSessionId);
    await recordUserAudit(tx, actor.id, {
      actor,
      action: "session.revoke_others",
      targetType: "user",
      targetId: actor.id,
      summary: `${actor.label} signed out ${count} other session${count === 1 ? "" : "s"}`,
    });
    return count;
  });
}

export async function endOtherSessions(tx: Prisma.TransactionClient, userId: string, currentSessionId: string | undefined): Promise<number> {
  const removed = await tx.session.deleteMany({ where: { userId, ...(currentSessionId ? { id: { not: currentSessionId } } : {}) } });
  return removed.count;
}
