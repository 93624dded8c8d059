import { auditEventSelect, type AuditSource, type Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { NO_SECRETS, type Redactor } from "../lib/redact";

export interface Actor {
  id: string | null;
  /** The actor's email (or "wharf"), kept on the row as written. */
  label: string;
  name?: string | null;
  /** Defaults to BROWSER for a person and SYSTEM for Wharf itself. */
  source?: AuditSource;
  /** The client address the server believed. */
  address?: string | null;
}

/** A field's value before and after a change, e.g. { role: { from: "VIEWER", to: "ADMIN" } }. */
export type AuditChanges = Record<string, { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }>;

export interface AuditInput {
  teamId: string | null;
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | null;
  summary: string;
  data?: Prisma.InputJsonValue;
  changes?: AuditChanges;
  /** Hides these secret values from the summary, data and changes (events about a revision's jobs). */
  redactor?: Redactor;
}

/**
 * The one writer of the audit trail, called inside the same transaction as
 * the change it records. Rows are never updated or deleted: a trigger refuses
 * both (see the AuditEvent model).
 */
export async function recordAudit(tx: Prisma.TransactionClient, input: AuditInput): Promise<void> {
  const redactor = input.redactor ?? NO_SECRETS;
  const { actor } = input;
  await tx.auditEvent.create({
    data: {
      teamId: input.teamId,
      actorId: actor.id,
      actorLabel: actor.label,
      actorName: actor.name ?? null,
      source: actor.source ?? (actor.id ? "BROWSER" : "SYSTEM"),
      address: actor.address ?? null,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      summary: redactor.text(input.summary),
      ...(input.data === undefined ? {} : { data: redactor.json(input.data) }),
      ...(input.changes === undefined ? {} : { changes: redactor.json(input.changes) }),
    },
  });
}

/** The same event once in each team the user belongs to (so each team's owners see it), or once without a team. */
export async function recordUserAudit(tx: Prisma.TransactionClient, userId: string | null, input: Omit<AuditInput, "teamId">): Promise<void> {
  const memberships = userId ? await tx.membership.findMany({ where: { userId }, select: { teamId: true } }) : [];
  const teamIds = memberships.length > 0 ? memberships.map((m) => m.teamId) : [null];
  for (const teamId of teamIds) await recordAudit(tx, { ...input, teamId });
}

/**
 * Who is acting in a request, from the request's address: the signed-in user
 * through the browser (or the context's source, e.g. the chat bot), or an API
 * token as itself ("token ci-deploy", created by its creator).
 */
export async function actorFor(ctx: { deps: WharfDeps; session: { userId: string; token?: { name: string } }; ip: string | null; source?: AuditSource | undefined }): Promise<Actor> {
  const user = await ctx.deps.db.user.findUnique({ where: { id: ctx.session.userId }, select: { email: true, name: true } });
  const email = user?.email ?? "unknown user";
  const token = ctx.session.token;
  if (token) return { id: ctx.session.userId, label: `token ${token.name}`, name: `created by ${email}`, source: "API_TOKEN", address: ctx.ip };
  return { id: ctx.session.userId, label: email, name: user?.name ?? null, source: ctx.source ?? "BROWSER", address: ctx.ip };
}

/** Records a request the permission middleware refused, with the message the caller was given. */
export async function recordRefusal(
  ctx: { deps: WharfDeps; session: { userId: string }; ip: string | null; source?: AuditSource | undefined },
  refusal: { teamId: string; role: string; permission: string; path: string; message: string },
): Promise<void> {
  await recordAudit(ctx.deps.db, {
    teamId: refusal.teamId,
    actor: await actorFor(ctx),
    action: "access.refused",
    targetType: "procedure",
    targetId: refusal.path,
    summary: `Refused ${refusal.path}: ${refusal.message}`,
    data: { permission: refusal.permission, role: refusal.role, procedure: refusal.path },
  });
}

const optionalText = z.preprocess((value) => (value === "" ? undefined : value), z.string().trim().max(200).optional());

export const auditFilterInput = z.object({
  /** An actor's email or name, or part of it. */
  actor: optionalText,
  /** An action, or its prefix ending in a dot (e.g. "deployment."). */
  action: optionalText,
  targetType: optionalText,
  targetId: optionalText,
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Words to find in the summary, actor, address or target. */
  search: optionalText,
});
export type AuditFilter = z.infer<typeof auditFilterInput>;

export const listAuditInput = auditFilterInput.extend({
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

function auditWhere(teamId: string, filter: AuditFilter): Prisma.AuditEventWhereInput {
  const contains = (value: string) => ({ contains: value, mode: "insensitive" as const });
  return {
    teamId,
    ...(filter.actor ? { OR: [{ actorLabel: contains(filter.actor) }, { actorName: contains(filter.actor) }] } : {}),
    ...(filter.action ? { action: filter.action.endsWith(".") ? { startsWith: filter.action } : filter.action } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
    ...(filter.search
      ? {
          AND: filter.search.split(/\s+/).map((word) => ({
            OR: [{ summary: contains(word) }, { actorLabel: contains(word) }, { address: contains(word) }, { targetId: contains(word) }, { action: contains(word) }],
          })),
        }
      : {}),
  };
}

export async function listAuditEvents(deps: WharfDeps, teamId: string, input: z.infer<typeof listAuditInput>) {
  const { cursor, limit, ...filter } = input;
  const rows = await deps.db.auditEvent.findMany({
    where: auditWhere(teamId, filter),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    select: auditEventSelect,
  });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/** The actions recorded in this team, for the page's filter. */
export async function listAuditActions(deps: WharfDeps, teamId: string): Promise<string[]> {
  const rows = await deps.db.auditEvent.findMany({ where: { teamId }, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((row) => row.action);
}

/** Rows one export may hold; narrow the filter (e.g. the time range) for more. */
export const AUDIT_EXPORT_LIMIT = 50_000;
const CSV_COLUMNS = ["time", "actor", "actor_name", "source", "address", "action", "target_type", "target_id", "summary", "changes", "data"] as const;

/** A field as RFC 4180 wants it; a leading = + - @ is quoted away so a spreadsheet never runs it as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The team's events matching the filter, newest first, as CSV (the same rows the page lists). */
export async function exportAuditCsv(deps: WharfDeps, teamId: string, filter: AuditFilter): Promise<string> {
  const rows = await deps.db.auditEvent.findMany({
    where: auditWhere(teamId, filter),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: AUDIT_EXPORT_LIMIT + 1,
    select: auditEventSelect,
  });
  if (rows.length > AUDIT_EXPORT_LIMIT) {
    throw new WharfError("BAD_REQUEST", `More than ${AUDIT_EXPORT_LIMIT} events match: narrow the time range or the filters and export again.`);
  }
  const lines = rows.map((row) =>
    [
      row.createdAt.toISOString(),
      row.actorLabel,
      row.actorName ?? "",
      row.source,
      row.address ?? "",
      row.action,
      row.targetType,
      row.targetId ?? "",
      row.summary,
      row.changes === null ? "" : JSON.stringify(row.changes),
      row.data === null ? "" : JSON.stringify(row.data),
    ]
      .map(csvField)
      .join(","),
  );
  return [CSV_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
}
