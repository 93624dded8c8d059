import { randomBytes } from "node:crypto";

import type { Prisma } from "@wharf/db";
import { Webhook } from "standardwebhooks";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound } from "../errors";
import { postOutbound, PrivateAddressError } from "../lib/outbound-http";
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type WebhookEventType } from "../lib/webhook-events";
import { type Actor, recordAudit } from "./audit";

/**
 * Outgoing webhooks: a team's events go to its targets through the queue
 * (one `webhook-event` job fans out to a `webhook-deliver` job per target,
 * which pg-boss retries with exponential backoff). Bodies are signed per the
 * Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature);
 * the Slack and Discord presets shape the body for those services' incoming
 * webhooks and are signed the same way.
 */

/** A target that has failed this long (every delivery in between) is turned off. */
export const DISABLE_AFTER_MS = 24 * 60 * 60 * 1000;
const MAX_STORED_BODY = 2_048;

export const createWebhookInput = z.object({
  name: z.string().trim().min(1, "Name the target.").max(100),
  url: z
    .url("Enter the full URL, e.g. https://hooks.example.com/wharf.")
    .max(2_000)
    .refine((url) => /^https?:\/\//i.test(url), "Only http and https URLs are supported."),
  format: z.enum(WEBHOOK_FORMATS).default("standard"),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "Choose at least one event.").max(WEBHOOK_EVENTS.length),
});
export const updateWebhookInput = z.object({
  targetId: z.string().min(1),
  enabled: z.boolean().optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "Choose at least one event.").max(WEBHOOK_EVENTS.length).optional(),
});
export const webhookRef = z.object({ targetId: z.string().min(1) });
export const listDeliveriesInput = webhookRef.extend({ limit: z.number().int().min(1).max(100).default(50) });

const targetSelect = {
  id: true,
  name: true,
  url: true,
  format: true,
  events: true,
  enabled: true,
  disabledReason: true,
  failingSince: true,
  createdByLabel: true,
  createdAt: true,
} satisfies Prisma.WebhookTargetSelect;

const deliverySelect = {
  id: true,
  eventType: true,
  status: true,
  attempts: true,
  statusCode: true,
  error: true,
  responseBody: true,
  createdAt: true,
  lastAttemptAt: true,
} satisfies Prisma.WebhookDeliverySelect;

async function findTarget(deps: WharfDeps, teamId: string, targetId: string) {
  const target = await deps.db.webhookTarget.findFirst({ where: { id: targetId, teamId }, select: targetSelect });
  if (!target) throw notFound("That webhook target");
  return target;
}

export async function listWebhooks(deps: WharfDeps, teamId: string) {
  const [targets, team] = await Promise.all([
    deps.db.webhookTarget.findMany({ where: { teamId }, select: targetSelect, orderBy: { createdAt: "asc" } }),
    deps.db.team.findUniqueOrThrow({ where: { id: teamId }, select: { allowPrivateWebhooks: true } }),
  ]);
  return { targets, allowPrivate: team.allowPrivateWebhooks };
}

/** Creates a target; its signing secret is returned this once and stored sealed. */
export async function createWebhook(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof createWebhookInput>) {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const target = await deps.db.$transaction(async (tx) => {
    const created = await tx.webhookTarget.create({
      data: {
        teamId,
        name: input.name,
        url: input.url,
        format: input.format,
        events: [...new Set(input.events)],
        secretEnc: deps.secrets.seal(secret),
        createdById: actor.id,
        createdByLabel: actor.label,
      },
      select: targetSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "webhook.create",
      targetType: "webhook",
      targetId: created.id,
      summary: `Webhook target ${created.name} created (${created.format}, ${created.events.join(", ")})`,
      data: { host: new URL(created.url).host, events: created.events },
    });
    return created;
  });
  return { target, secret };
}

export async function updateWebhook(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof updateWebhookInput>) {
  const before = await findTarget(deps, teamId, input.targetId);
  return deps.db.$transaction(async (tx) => {
    const updated = await tx.webhookTarget.update({
      where: { id: before.id },
      data: {
        ...(input.events ? { events: [...new Set(input.events)] } : {}),
        // Turning a target back on starts its failure count afresh.
        ...(input.enabled !== undefined ? { enabled: input.enabled, disabledReason: null, failingSince: null } : {}),
      },
      select: targetSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "webhook.update",
      targetType: "webhook",
      targetId: before.id,
      summary: `Webhook target ${before.name} ${input.enabled === undefined ? "changed" : input.enabled ? "enabled" : "disabled"}`,
      changes: {
        ...(input.enabled !== undefined ? { enabled: { from: before.enabled, to: input.enabled } } : {}),
        ...(input.events ? { events: { from: before.events, to: updated.events } } : {}),
      },
    });
    return updated;
  });
}

export async function removeWebhook(deps: WharfDeps, teamId: string, actor: Actor, targetId: string) {
  const target = await findTarget(deps, teamId, targetId);
  await deps.db.$transaction(async (tx) => {
    await tx.webhookTarget.delete({ where: { id: target.id } });
    await recordAudit(tx, { teamId, actor, action: "webhook.remove", targetType: "webhook", targetId: target.id, summary: `Webhook target ${target.name} removed` });
  });
}

export async function setAllowPrivateWebhooks(deps: WharfDeps, teamId: string, actor: Actor, allow: boolean) {
  await deps.db.$transaction(async (tx) => {
    await tx.team.update({ where: { id: teamId }, data: { allowPrivateWebhooks: allow } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "webhook.private_addresses",
      targetType: "team",
      targetId: teamId,
      summary: `Webhook targets on private addresses ${allow ? "allowed" : "refused"}`,
      changes: { allowPrivateWebhooks: { from: !allow, to: allow } },
    });
  });
}

export async function listDeliveries(deps: WharfDeps, teamId: string, input: z.infer<typeof listDeliveriesInput>) {
  await findTarget(deps, teamId, input.targetId);
  return deps.db.webhookDelivery.findMany({ where: { targetId: input.targetId }, select: deliverySelect, orderBy: { createdAt: "desc" }, take: input.limit });
}

interface EventJob {
  teamId: string;
  type: WebhookEventType | "wharf.test";
  at: string;
  data: Record<string, unknown>;
  /** Only this target (the test event). */
  targetId?: string;
}

/**
 * Queues an event for the team's targets. Called after the change committed;
 * a queue failure is logged, never the caller's failure.
 */
export async function publishEvent(deps: WharfDeps, teamId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
  try {
    await deps.queue.send<EventJob>("webhook-event", { teamId, type, at: new Date().toISOString(), data });
  } catch (error) {
    deps.log.error(`Could not queue the ${type} webhook event: ${String(error)}`);
  }
}

/** Sends a `wharf.test` event to one target, through the same queue and log as real events. */
export async function sendTestEvent(deps: WharfDeps, teamId: string, actor: Actor, targetId: string) {
  const target = await findTarget(deps, teamId, targetId);
  await deps.queue.send<EventJob>("webhook-event", {
    teamId,
    type: "wharf.test",
    at: new Date().toISOString(),
    data: { message: `A test event from Wharf, sent by ${actor.label}.` },
    targetId: target.id,
  });
}

/** The `webhook-event` job: one delivery row and one `webhook-deliver` job per subscribed, enabled target. */
export async function fanOutEvent(deps: WharfDeps, event: EventJob): Promise<void> {
  const targets = await deps.db.webhookTarget.findMany({
    where: { teamId: event.teamId, enabled: true, ...(event.targetId ? { id: event.targetId } : { events: { has: event.type } }) },
    select: { id: true },
  });
  for (const target of targets) {
    const delivery = await deps.db.webhookDelivery.create({
      data: { targetId: target.id, eventType: event.type, payload: { type: event.type, timestamp: event.at, data: event.data } as Prisma.InputJsonValue },
      select: { id: true },
    });
    await deps.queue.send("webhook-deliver", { deliveryId: delivery.id });
  }
}

/** One line for people: the Slack and Discord presets post this. */
export function describeEvent(type: string, data: Record<string, unknown>): string {
  const text = (key: string) => (typeof data[key] === "string" || typeof data[key] === "number" ? String(data[key]) : "?");
  switch (type) {
    case "deployment.started":
      return `Wharf: ${text("action")} of ${text("stack")} revision ${text("revision")} on ${text("host")} started.`;
    case "deployment.succeeded":
      return `Wharf: ${text("action")} of ${text("stack")} revision ${text("revision")} on ${text("host")} succeeded.`;
    case "deployment.failed":
      return `Wharf: ${text("action")} of ${text("stack")} revision ${text("revision")} on ${text("host")} failed: ${text("error")}`;
    case "deployment.refused":
      return `Wharf: ${text("action")} of ${text("stack")} was refused by preflight: ${text("error")}`;
    case "approval.requested":
      return `Wharf: ${text("requestedBy")} asks for approval to ${text("action")} ${text("stack")}.`;
    case "approval.decided":
      return `Wharf: the ${text("action")} of ${text("stack")} was ${text("status")} by ${text("decidedBy")}.`;
    case "host.offline":
      return `Wharf: host ${text("host")} is offline${data.error ? `: ${text("error")}` : "."}`;
    case "host.online":
      return `Wharf: host ${text("host")} is back online.`;
    default:
      return typeof data.message === "string" ? data.message : `Wharf: ${type}`;
  }
}

export function webhookBody(format: string, payload: { type: string; timestamp: string; data: Record<string, unknown> }): string {
  if (format === "slack") return JSON.stringify({ text: describeEvent(payload.type, payload.data) });
  if (format === "discord") return JSON.stringify({ content: describeEvent(payload.type, payload.data) });
  return JSON.stringify(payload);
}

/** The Standard Webhooks headers for one delivery (the same id on every retry). */
export function signedHeaders(secret: string, deliveryId: string, body: string, at = new Date()): Record<string, string> {
  return {
    "webhook-id": deliveryId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(deliveryId, at, body),
  };
}

/**
 * The `webhook-deliver` job: one attempt. A failure throws so that pg-boss
 * retries it later; a refused address is not retried. A target failing for
 * a day is turned off, with the reason on the Webhooks page and in the audit
 * trail (the team's owners and admins see both).
 */
export async function deliverWebhook(deps: WharfDeps, deliveryId: string, job: { retryCount: number; retryLimit: number }): Promise<void> {
  const delivery = await deps.db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    select: {
      id: true,
      status: true,
      payload: true,
      target: { select: { id: true, teamId: true, name: true, url: true, format: true, enabled: true, secretEnc: true, failingSince: true, team: { select: { allowPrivateWebhooks: true } } } },
    },
  });
  if (!delivery || delivery.status === "SUCCEEDED" || delivery.status === "REFUSED") return;
  const { target } = delivery;
  if (!target.enabled) {
    await deps.db.webhookDelivery.update({ where: { id: delivery.id }, data: { status: "REFUSED", error: "The target is disabled." } });
    return;
  }
  const payload = delivery.payload as { type: string; timestamp: string; data: Record<string, unknown> };
  const body = webhookBody(target.format, payload);
  const attemptAt = new Date();
  let outcome: { status: number; body: string } | { error: string; refused: boolean };
  try {
    const headers = signedHeaders(deps.secrets.open(target.secretEnc), delivery.id, body, attemptAt);
    outcome = await postOutbound(target.url, body, { headers, allowPrivate: target.team.allowPrivateWebhooks, maxBodyBytes: MAX_STORED_BODY });
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error), refused: error instanceof PrivateAddressError };
  }
  const ok = "status" in outcome && outcome.status >= 200 && outcome.status < 300;
  const final = ok || ("refused" in outcome && outcome.refused) || job.retryCount >= job.retryLimit;
  const status = ok ? "SUCCEEDED" : "refused" in outcome && outcome.refused ? "REFUSED" : final ? "FAILED" : "RETRYING";
  // A success ends the target's run of failures, a first failure starts one: written with the delivery's outcome,
  // so nobody reads one without the other.
  const failingSince = ok ? null : (target.failingSince ?? attemptAt);
  await deps.db.$transaction([
    deps.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        status,
        attempts: { increment: 1 },
        lastAttemptAt: attemptAt,
        statusCode: "status" in outcome ? outcome.status : null,
        responseBody: "status" in outcome ? outcome.body : null,
        error: "error" in outcome ? outcome.error : ok ? null : `The receiver answered ${"status" in outcome ? outcome.status : "?"}.`,
      },
    }),
    ...(failingSince?.getTime() === target.failingSince?.getTime() ? [] : [deps.db.webhookTarget.update({ where: { id: target.id }, data: { failingSince } })]),
  ]);
  if (failingSince === null) return;
  if (attemptAt.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS) {
    await disableFailingTarget(deps, target, failingSince);
    return;
  }
  if (!final) throw new Error(`Delivery ${delivery.id} to ${target.name} failed; retrying.`);
}

async function disableFailingTarget(deps: WharfDeps, target: { id: string; teamId: string; name: string }, failingSince: Date): Promise<void> {
  const reason = `Turned off by Wharf: every delivery failed since ${failingSince.toISOString()}. Check the receiver, then enable the target again.`;
  await deps.db.$transaction(async (tx) => {
    const updated = await tx.webhookTarget.updateMany({ where: { id: target.id, enabled: true }, data: { enabled: false, disabledReason: reason } });
    if (updated.count === 0) return;
    await recordAudit(tx, {
      teamId: target.teamId,
      actor: { id: null, label: "wharf" },
      action: "webhook.disabled",
      targetType: "webhook",
      targetId: target.id,
      summary: `Webhook target ${target.name} turned off after failing for a day`,
    });
  });
}

/** Registers the queue's webhook workers (called where the deployment runner starts). */
export async function startWebhookWorkers(deps: WharfDeps): Promise<void> {
  await deps.queue.work<EventJob>("webhook-event", (event) => fanOutEvent(deps, event));
  await deps.queue.work<{ deliveryId: string }>("webhook-deliver", (data, job) => deliverWebhook(deps, data.deliveryId, job));
}
