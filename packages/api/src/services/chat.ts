import { createHmac } from "node:crypto";

import { Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { hashSecret, newSecret, sameSecret } from "../lib/hook-secret";
import { type Actor, recordAudit } from "./audit";

/**
 * A team's Slack-style app: the signing secret that proves a request came
 * from the chat service, and the chat users linked to Wharf users. Commands
 * themselves run in chat-bot.ts, as the linked user.
 */

/** Slack's window: a request signed longer ago than this (or this far ahead) is refused. */
export const SIGNATURE_WINDOW_S = 5 * 60;
const LINK_TTL_MS = 15 * 60 * 1000;

export const setSigningSecretInput = z.object({
  signingSecret: z.string().trim().min(16, "Paste the app's signing secret (Basic Information → App Credentials).").max(200),
});
export const unlinkChatUserInput = z.object({ chatUserId: z.string().min(1).max(100) });
export const linkChatUserInput = z.object({ token: z.string().min(1).max(200) });

export function chatUrls(deps: WharfDeps, integrationId: string) {
  const base = `${deps.config.publicUrl.replace(/\/$/, "")}/api/chat/slack/${integrationId}`;
  return { commandUrl: `${base}/commands`, interactionUrl: `${base}/interactions` };
}

export async function getChatIntegration(deps: WharfDeps, teamId: string) {
  const integration = await deps.db.chatIntegration.findUnique({
    where: { teamId },
    select: {
      id: true,
      updatedAt: true,
      links: { select: { chatUserId: true, chatUserName: true, createdAt: true, user: { select: { email: true, name: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!integration) return null;
  return { id: integration.id, updatedAt: integration.updatedAt, ...chatUrls(deps, integration.id), links: integration.links };
}

/** Write-only: the secret is sealed and never read back out through the API. */
export async function setSigningSecret(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof setSigningSecretInput>) {
  const sealed = deps.secrets.seal(input.signingSecret);
  const integration = await deps.db.$transaction(async (tx) => {
    const row = await tx.chatIntegration.upsert({ where: { teamId }, create: { teamId, signingSecretEnc: sealed }, update: { signingSecretEnc: sealed }, select: { id: true } });
    await recordAudit(tx, { teamId, actor, action: "chat.secret", targetType: "chat", targetId: row.id, summary: "Chat app signing secret set" });
    return row;
  });
  return { id: integration.id, ...chatUrls(deps, integration.id) };
}

export async function unlinkChatUser(deps: WharfDeps, teamId: string, actor: Actor, input: z.infer<typeof unlinkChatUserInput>) {
  await deps.db.$transaction(async (tx) => {
    const integration = await tx.chatIntegration.findUnique({ where: { teamId }, select: { id: true } });
    const removed = integration ? await tx.chatUserLink.deleteMany({ where: { integrationId: integration.id, chatUserId: input.chatUserId } }) : { count: 0 };
    if (removed.count === 0) throw notFound("That linked chat user");
    await recordAudit(tx, { teamId, actor, action: "chat.unlink", targetType: "chat", targetId: input.chatUserId, summary: `Chat user ${input.chatUserId} unlinked` });
  });
}

export interface SignedRequest {
  timestamp: string | null;
  signature: string | null;
  body: string;
}

/** Slack's scheme: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`, "utf8").digest("hex")}`;
}

/**
 * Checks a request's signature with the team's signing secret, its age
 * (within 5 minutes) and that it was not seen before (a replay inside the
 * window is refused: accepted signatures are kept in Postgres, for every
 * replica). Returns the integration the request is for.
 */
export async function verifyChatRequest(deps: WharfDeps, integrationId: string, request: SignedRequest, now = Date.now()) {
  const refused = (why: string) => new WharfError("UNAUTHORIZED", `Request refused: ${why}`, "BAD_SIGNATURE");
  const integration = await deps.db.chatIntegration.findUnique({ where: { id: integrationId }, select: { id: true, teamId: true, signingSecretEnc: true } });
  if (!integration) throw refused("no chat app is set up at this address.");
  if (!request.timestamp || !/^\d{1,12}$/.test(request.timestamp) || !request.signature) throw refused("the signature headers are missing.");
  if (Math.abs(now / 1000 - Number(request.timestamp)) > SIGNATURE_WINDOW_S) throw refused("its timestamp is more than 5 minutes away from this server's clock.");
  const expected = slackSignature(deps.secrets.open(integration.signingSecretEnc), request.timestamp, request.body);
  if (!sameSecret(expected, request.signature)) throw refused("the signature does not match the signing secret.");
  // Rows older than the window can no longer be replayed (their timestamp is refused above).
  await deps.db.chatRequestSeen.deleteMany({ where: { seenAt: { lt: new Date(now - 2 * SIGNATURE_WINDOW_S * 1000) } } });
  try {
    await deps.db.chatRequestSeen.create({ data: { signature: request.signature } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw refused("it was already received once (a replay).");
    throw error;
  }
  return { id: integration.id, teamId: integration.teamId };
}

/** The linked Wharf user of a chat user, or null. */
export async function linkedUser(deps: WharfDeps, integrationId: string, chatUserId: string): Promise<string | null> {
  const link = await deps.db.chatUserLink.findUnique({ where: { integrationId_chatUserId: { integrationId, chatUserId } }, select: { userId: true } });
  return link?.userId ?? null;
}

/** A one-time link for an unlinked chat user: opened by a signed-in member of the team, it links the two. */
export async function issueLinkUrl(deps: WharfDeps, integrationId: string, chatUserId: string, chatUserName: string): Promise<string> {
  const token = newSecret("wcl");
  await deps.db.chatLinkToken.create({ data: { tokenHash: hashSecret(token), integrationId, chatUserId, chatUserName, expiresAt: new Date(Date.now() + LINK_TTL_MS) } });
  return `${deps.config.publicUrl.replace(/\/$/, "")}/chat/link?token=${encodeURIComponent(token)}`;
}

/** The signed-in user opening the link: must belong to the app's team; the token works once. */
export async function linkChatUser(deps: WharfDeps, userId: string, input: z.infer<typeof linkChatUserInput>) {
  return deps.db.$transaction(async (tx) => {
    const token = await tx.chatLinkToken.findUnique({ where: { tokenHash: hashSecret(input.token) }, include: { integration: { select: { teamId: true } } } });
    if (!token || token.expiresAt.getTime() < Date.now()) {
      throw new WharfError("NOT_FOUND", "This link is unknown, used or expired: run any command in chat again to get a new one.", "LINK_EXPIRED");
    }
    const membership = await tx.membership.findFirst({ where: { userId, teamId: token.integration.teamId }, select: { userId: true } });
    if (!membership) throw new WharfError("FORBIDDEN", "You are not a member of the team this chat app belongs to: sign in with your account in that team.", "NOT_A_MEMBER");
    await tx.chatLinkToken.delete({ where: { tokenHash: token.tokenHash } });
    await tx.chatUserLink.upsert({
      where: { integrationId_chatUserId: { integrationId: token.integrationId, chatUserId: token.chatUserId } },
      create: { integrationId: token.integrationId, chatUserId: token.chatUserId, chatUserName: token.chatUserName, userId },
      update: { userId, chatUserName: token.chatUserName },
    });
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
    await recordAudit(tx, {
      teamId: token.integration.teamId,
      actor: { id: userId, label: user.email, name: user.name },
      action: "chat.link",
      targetType: "chat",
      targetId: token.chatUserId,
      summary: `Chat user ${token.chatUserName} linked to ${user.email}`,
    });
    return { chatUserName: token.chatUserName };
  });
}
