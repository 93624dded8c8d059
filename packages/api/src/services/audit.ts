import { auditEventSelect, type Prisma } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { NO_SECRETS, type Redactor } from "../lib/redact";

export interface Actor {
  id: string | null;
  label: string;
}

export interface AuditInput {
  teamId: string | null;
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | null;
  summary: string;
  data?: Prisma.InputJsonValue;
  /** Hides these secret values from the summary and data (events about a revision's jobs). */
  redactor?: Redactor;
}

/** Written inside the same transaction as the change it records. */
export async function recordAudit(tx: Prisma.TransactionClient, input: AuditInput): Promise<void> {
  const redactor = input.redactor ?? NO_SECRETS;
  await tx.auditEvent.create({
    data: {
      teamId: input.teamId,
      actorId: input.actor.id,
      actorLabel: input.actor.label,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      summary: redactor.text(input.summary),
      ...(input.data === undefined ? {} : { data: redactor.json(input.data) }),
    },
  });
}

export async function actorFor(deps: WharfDeps, userId: string): Promise<Actor> {
  const user = await deps.db.user.findUnique({ where: { id: userId }, select: { email: true } });
  return { id: userId, label: user?.email ?? "unknown user" };
}

export async function listAuditEvents(deps: WharfDeps, teamId: string, page: { cursor?: string | undefined; limit: number }) {
  const rows = await deps.db.auditEvent.findMany({
    where: { teamId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: auditEventSelect,
  });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}
