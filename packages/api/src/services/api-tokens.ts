import { createHash, randomBytes } from "node:crypto";

import type { ApiTokenScope } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type Permission, ROLE_PERMISSIONS } from "../permissions";
import type { ResourceScope } from "./access";
import { type Actor, recordAudit } from "./audit";

/** What a token may do before its creator's own role is applied: read = a viewer's rights, deploy = a deployer's, admin = everything. */
const SCOPE_PERMISSIONS: Record<ApiTokenScope, ReadonlySet<Permission>> = {
  READ: new Set([...ROLE_PERMISSIONS.VIEWER, "logs:read"]),
  DEPLOY: ROLE_PERMISSIONS.DEPLOYER,
  ADMIN: ROLE_PERMISSIONS.OWNER,
};
const READ_PERMISSIONS = SCOPE_PERMISSIONS.READ;

/** The token a call is made with, as the authorization check needs it. */
export interface TokenGrant {
  id: string;
  name: string;
  scope: ApiTokenScope;
  /** Environments a deploy token is limited to; null when not limited. */
  environmentIds: string[] | null;
}

/** Why a token may not use `permission` on `scope`, or null when its own limits allow it (the creator's role is checked apart). */
export function tokenRefusal(token: TokenGrant, permission: Permission, scope: ResourceScope): string | null {
  if (!SCOPE_PERMISSIONS[token.scope].has(permission)) return `The token "${token.name}" has the ${token.scope.toLowerCase()} scope, which does not allow ${permission}.`;
  const limit = token.environmentIds;
  if (limit && !READ_PERMISSIONS.has(permission) && !(scope !== null && scope.every((environmentId) => limit.includes(environmentId)))) {
    return `The token "${token.name}" may ${permission} only in its own environments, and this call reaches ${scope ? "another environment" : "the whole team"}.`;
  }
  return null;
}

/** The secret's visible prefix tells Wharf tokens apart in logs and secret scanners. */
const TOKEN_PREFIX = "wharf_";
const LAST_USED_PRECISION_MS = 60_000;
const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

export const apiTokenScope = z.enum(["READ", "DEPLOY", "ADMIN"]);
export const createApiTokenInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Name the token.")
      .max(60)
      .regex(/^[\w.-]+$/, "Use letters, digits, dots, dashes and underscores."),
    scope: apiTokenScope,
    /** Only for the deploy scope: the environments it may deploy to (empty: all the creator may). */
    environmentIds: z.array(z.string().min(1)).max(50).default([]),
    /** Days until it stops working; omitted: it never expires. */
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .refine((input) => input.scope === "DEPLOY" || input.environmentIds.length === 0, {
    path: ["environmentIds"],
    message: "Only deploy tokens are limited to environments.",
  });
export const apiTokenRef = z.object({ tokenId: z.string().min(1) });

const tokenSelect = {
  id: true,
  name: true,
  scope: true,
  environmentIds: true,
  prefix: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
  createdAt: true,
  createdBy: { select: { email: true, name: true } },
} as const;

export async function listApiTokens(deps: WharfDeps, teamId: string) {
  return deps.db.apiToken.findMany({ where: { teamId }, select: tokenSelect, orderBy: { createdAt: "desc" } });
}

/** Creates a token and returns its secret, the only time it is ever shown. */
export async function createApiToken(deps: WharfDeps, teamId: string, actor: Actor & { id: string }, input: z.infer<typeof createApiTokenInput>) {
  if (input.environmentIds.length > 0) {
    const found = await deps.db.environment.count({ where: { teamId, id: { in: input.environmentIds } } });
    if (found !== new Set(input.environmentIds).size) throw notFound("That environment");
  }
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const token = await deps.db.$transaction(async (tx) => {
    if (await tx.apiToken.findFirst({ where: { teamId, name: input.name }, select: { id: true } })) {
      throw new WharfError("CONFLICT", `A token named "${input.name}" exists already: choose another name or revoke it first.`);
    }
    const created = await tx.apiToken.create({
      data: {
        teamId,
        name: input.name,
        scope: input.scope,
        environmentIds: input.environmentIds,
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        secretHash: sha256(secret),
        createdById: actor.id,
        expiresAt,
      },
      select: tokenSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "token.create",
      targetType: "apiToken",
      targetId: created.id,
      summary: `Created the ${input.scope.toLowerCase()} API token "${input.name}"`,
      data: { scope: input.scope, environmentIds: input.environmentIds, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { token, secret };
}

export async function revokeApiToken(deps: WharfDeps, teamId: string, actor: Actor, tokenId: string) {
  await deps.db.$transaction(async (tx) => {
    const token = await tx.apiToken.findFirst({ where: { id: tokenId, teamId }, select: { name: true, revokedAt: true } });
    if (!token) throw notFound("That token");
    if (token.revokedAt) return;
    await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    await recordAudit(tx, { teamId, actor, action: "token.revoke", targetType: "apiToken", targetId: tokenId, summary: `Revoked the API token "${token.name}"` });
  });
}

/** The token behind a bearer secret, its last use noted; refused when unknown, revoked or expired. */
export async function authenticateApiToken(deps: WharfDeps, secret: string, ip: string | null) {
  const refused = new WharfError("UNAUTHORIZED", "This API token is unknown, revoked or expired: create a new one on the team's Tokens page.");
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) throw refused;
  const row = await deps.db.apiToken.findUnique({
    where: { secretHash: sha256(secret) },
    select: { id: true, teamId: true, name: true, scope: true, environmentIds: true, createdById: true, revokedAt: true, expiresAt: true, lastUsedAt: true, lastUsedIp: true },
  });
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) throw refused;
  // A busy pipeline would otherwise write the row on every request: the last use is kept to the minute.
  if (row.lastUsedIp !== ip || !row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await deps.db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now, lastUsedIp: ip } });
  }
  const grant: TokenGrant = { id: row.id, name: row.name, scope: row.scope, environmentIds: row.environmentIds.length > 0 ? row.environmentIds : null };
  return { teamId: row.teamId, userId: row.createdById, token: grant };
}
