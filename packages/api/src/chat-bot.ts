import { setTimeout as sleep } from "node:timers/promises";

import type { DeploymentStatus } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "./deps";
import { WharfError } from "./errors";
import { postOutbound } from "./lib/outbound-http";
import { createCaller } from "./root";
import { issueLinkUrl, linkedUser } from "./services/chat";

/**
 * The chat bot: slash commands and button presses, each run as the chat
 * user's linked Wharf user through a server-side tRPC caller, so every
 * permission check, audit entry and domain rule is the browser's own (the
 * audit trail says BOT). The route answers within Slack's 3 s with an
 * acknowledgement; the work runs on the queue (`chat-reply`), which posts
 * progress and the result to the request's response_url.
 */

export const HELP = [
  "*Wharf commands*",
  "`status [stack]`: stacks and what runs where",
  "`deploy <stack> [revision] [host|environment]`: deploy the latest (or that) revision",
  "`rollback <stack> [revision]`: back to that revision (default: the one before the deployed one)",
  "`logs <stack> [service] [n]`: the last n lines (default 20)",
  "`approve [request]` / `reject [request]`: answer a pending approval",
  "`help`: this list",
].join("\n");

export interface ChatMessage {
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
  text: string;
  blocks?: unknown[];
}

/** What a slash command's form carries (the fields Wharf reads). */
export const slashCommandForm = z.object({
  user_id: z.string().min(1).max(100),
  user_name: z.string().max(200).default(""),
  text: z.string().max(4_000).default(""),
  response_url: z.url(),
});

/** A button press: Slack's block_actions payload (the fields Wharf reads). */
export const interactionPayload = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1).max(100), name: z.string().max(200).optional(), username: z.string().max(200).optional() }),
  response_url: z.url(),
  actions: z.array(z.object({ action_id: z.enum(["approve", "reject", "rollback"]), value: z.string().max(500) })).min(1),
});

interface ReplyJob {
  integrationId: string;
  teamId: string;
  userId: string;
  responseUrl: string;
  command: string;
  args: string[];
}

const ack = (text: string): ChatMessage => ({ response_type: "ephemeral", text });

/** The route's answer to a verified slash command, within 3 s: help, a link to sign in, or "working on it". */
export async function acceptSlashCommand(deps: WharfDeps, integration: { id: string; teamId: string }, form: z.infer<typeof slashCommandForm>): Promise<ChatMessage> {
  const [command = "help", ...args] = form.text.trim().split(/\s+/).filter(Boolean);
  const name = command.toLowerCase();
  if (name === "help") return ack(HELP);
  const userId = await linkedUser(deps, integration.id, form.user_id);
  if (!userId) {
    const url = await issueLinkUrl(deps, integration.id, form.user_id, form.user_name || form.user_id);
    return ack(`Link your chat account to Wharf first: open ${url} while signed in to Wharf (the link works once, for 15 minutes). Then run the command again.`);
  }
  if (!["status", "deploy", "rollback", "logs", "approve", "reject"].includes(name)) return ack(`Unknown command \`${command}\`.\n${HELP}`);
  await queueReply(deps, { integrationId: integration.id, teamId: integration.teamId, userId, responseUrl: form.response_url, command: name, args });
  return ack(`Working on \`${[name, ...args].join(" ")}\`…`);
}

/** The route's answer to a verified button press. */
export async function acceptInteraction(deps: WharfDeps, integration: { id: string; teamId: string }, payload: z.infer<typeof interactionPayload>): Promise<ChatMessage> {
  const userId = await linkedUser(deps, integration.id, payload.user.id);
  if (!userId) {
    const url = await issueLinkUrl(deps, integration.id, payload.user.id, payload.user.username ?? payload.user.name ?? payload.user.id);
    return ack(`Link your chat account to Wharf first: open ${url} while signed in to Wharf, then press the button again.`);
  }
  for (const action of payload.actions) {
    await queueReply(deps, { integrationId: integration.id, teamId: integration.teamId, userId, responseUrl: payload.response_url, command: action.action_id, args: action.value.split(" ") });
  }
  return ack("Working on it…");
}

async function queueReply(deps: WharfDeps, job: ReplyJob): Promise<void> {
  await deps.queue.send<ReplyJob>("chat-reply", job);
}

/** Posts to the response_url; the team's private-address setting applies here as to webhooks. */
async function post(deps: WharfDeps, job: ReplyJob, message: ChatMessage): Promise<void> {
  const team = await deps.db.team.findUniqueOrThrow({ where: { id: job.teamId }, select: { allowPrivateWebhooks: true } });
  const response = await postOutbound(job.responseUrl, JSON.stringify(message), { headers: {}, allowPrivate: team.allowPrivateWebhooks });
  if (response.status >= 300) throw new Error(`The chat service answered ${response.status} to a reply.`);
}

/** The `chat-reply` job: runs the command as the linked user and posts the outcome. */
export async function runChatReply(deps: WharfDeps, job: ReplyJob): Promise<void> {
  // Still linked (an unlink between the press and now wins), else nothing runs.
  if (!(await deps.db.chatUserLink.findFirst({ where: { integrationId: job.integrationId, userId: job.userId }, select: { chatUserId: true } }))) {
    await post(deps, job, { response_type: "ephemeral", text: "Your chat account is no longer linked to Wharf: run a command to link it again." });
    return;
  }
  const caller = createCaller({ deps, session: { userId: job.userId }, requestedTeamId: job.teamId, ip: null, source: "BOT" });
  try {
    const commands: Record<string, () => Promise<void>> = {
      status: () => status(deps, caller, job),
      deploy: () => deploy(deps, caller, job, "DEPLOY"),
      rollback: () => deploy(deps, caller, job, "ROLLBACK"),
      logs: () => logs(deps, caller, job),
      approve: () => decide(deps, caller, job, true),
      reject: () => decide(deps, caller, job, false),
    };
    await (commands[job.command] ?? (() => post(deps, job, ack(HELP))))();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await post(deps, job, { response_type: "ephemeral", text: `\`${[job.command, ...job.args].join(" ")}\` failed: ${message}` });
  }
}

type Caller = ReturnType<typeof createCaller>;

async function findStack(caller: Caller, name: string | undefined) {
  if (!name) throw new WharfError("BAD_REQUEST", "Name the stack, e.g. `deploy web`.");
  const stacks = await caller.stack.list({});
  const stack = stacks.find((s) => s.name === name);
  if (!stack) throw new WharfError("NOT_FOUND", `No stack named ${name} in this team. Stacks: ${stacks.map((s) => s.name).join(", ") || "none yet"}.`);
  return stack;
}

async function status(deps: WharfDeps, caller: Caller, job: ReplyJob): Promise<void> {
  const stacks = await caller.stack.list({});
  const chosen = job.args[0] ? [await findStack(caller, job.args[0])] : stacks;
  const lines = chosen.map((stack) => {
    const where = stack.targets.map((t) => `${t.host.name}: ${t.deployed ? `revision ${t.deployed.revisionNumber}` : "not deployed"}${t.lastDeployment ? ` (last ${t.lastDeployment.action.toLowerCase()} ${t.lastDeployment.status.toLowerCase()})` : ""}`);
    return `*${stack.name}* (latest revision ${stack.latestRevision?.number ?? "none"}): ${where.join("; ") || "no hosts"}`;
  });
  await post(deps, job, { response_type: "ephemeral", text: lines.join("\n") || "No stacks yet." });
}

/** `[revision] [host|environment]`, in any order: a number is a revision, a word a host or environment of the stack. */
async function parseTargets(deps: WharfDeps, stackId: string, args: string[]) {
  let revisionNumber: number | undefined;
  let hostIds: string[] | undefined;
  for (const arg of args) {
    if (/^\d+$/.test(arg)) revisionNumber = Number(arg);
    else {
      const targets = await deps.db.stackTarget.findMany({ where: { stackId }, select: { host: { select: { id: true, name: true, environment: { select: { name: true } } } } } });
      const byHost = targets.filter((t) => t.host.name === arg);
      const chosen = byHost.length > 0 ? byHost : targets.filter((t) => t.host.environment.name === arg);
      if (chosen.length === 0) throw new WharfError("NOT_FOUND", `${arg} is neither a host nor an environment this stack runs on.`);
      hostIds = chosen.map((t) => t.host.id);
    }
  }
  return { revisionNumber, hostIds };
}

async function deploy(deps: WharfDeps, caller: Caller, job: ReplyJob, action: "DEPLOY" | "ROLLBACK"): Promise<void> {
  const [name, ...rest] = job.args;
  const stack = await findStack(caller, name);
  const { revisionNumber, hostIds } = await parseTargets(deps, stack.id, rest);
  const revision = action === "ROLLBACK" ? (revisionNumber ?? previousRevision(stack)) : revisionNumber;
  const input = { stackId: stack.id, action, ...(revision ? { revisionNumber: revision } : {}), ...(hostIds ? { hostIds } : {}), options: {} };
  let jobs;
  try {
    jobs = await caller.deployment.start(input);
  } catch (error) {
    if (!(error instanceof Error && "cause" in error && error.cause instanceof WharfError && error.cause.reason === "APPROVAL_REQUIRED")) throw error;
    const request = await caller.approval.request(input);
    await post(deps, job, {
      response_type: "in_channel",
      text: `${action === "DEPLOY" ? "Deploy" : "Rollback"} of ${stack.name} needs approval (request ${request.id}).`,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `*${stack.name}*: a ${action.toLowerCase()}${request.revisionNumber ? ` of revision ${request.revisionNumber}` : ""} waits for approval.` } },
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "approve", text: { type: "plain_text", text: "Approve" }, style: "primary", value: request.id },
            { type: "button", action_id: "reject", text: { type: "plain_text", text: "Reject" }, style: "danger", value: request.id },
          ],
        },
      ],
    });
    return;
  }
  await followJobs(deps, caller, job, stack.name, jobs.map((j) => j.id));
}

/** The revision before the one deployed on the stack's first target. */
function previousRevision(stack: Awaited<ReturnType<Caller["stack"]["list"]>>[number]): number {
  const deployed = stack.targets.find((t) => t.deployed)?.deployed?.revisionNumber;
  if (!deployed || deployed < 2) throw new WharfError("BAD_REQUEST", `Say which revision to roll ${stack.name} back to, e.g. \`rollback ${stack.name} 3\`.`);
  return deployed - 1;
}

const FINISHED: DeploymentStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];
/** Long enough for a slow pull; the job keeps running after the bot stops watching. */
const FOLLOW_LIMIT_MS = 15 * 60 * 1000;

async function followJobs(deps: WharfDeps, caller: Caller, job: ReplyJob, stackName: string, ids: string[]): Promise<void> {
  await post(deps, job, { response_type: "in_channel", text: `${stackName}: ${ids.length} job(s) queued.` });
  const until = Date.now() + FOLLOW_LIMIT_MS;
  const announced = new Set<string>();
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => caller.deployment.byId({ deploymentId: id })));
    for (const j of jobs) {
      if (j.status === "RUNNING" && !announced.has(j.id)) {
        announced.add(j.id);
        await post(deps, job, { response_type: "in_channel", text: `${stackName}: ${j.action.toLowerCase()} of revision ${j.revision.number} running on ${j.host.name}…` });
      }
    }
    if (jobs.every((j) => FINISHED.includes(j.status))) {
      const ok = jobs.every((j) => j.status === "SUCCEEDED");
      const text = jobs.map((j) => `${j.host.name}: ${j.status.toLowerCase()}${j.error ? ` (${j.error})` : ""}`).join("; ");
      const revision = jobs[0]?.revision.number;
      await post(deps, job, {
        response_type: "in_channel",
        text: `${stackName} revision ${revision ?? "?"} ${ok ? "deployed" : "did not deploy"}: ${text}`,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: `*${stackName}* revision ${revision ?? "?"}: ${text}` } },
          ...(ok && revision && revision > 1
            ? [{ type: "actions", elements: [{ type: "button", action_id: "rollback", text: { type: "plain_text", text: "Roll back" }, value: `${stackName} ${revision - 1}` }] }]
            : []),
        ],
      });
      return;
    }
    if (Date.now() > until) {
      await post(deps, job, { response_type: "ephemeral", text: `${stackName}: still running after ${FOLLOW_LIMIT_MS / 60_000} minutes; follow it in Wharf.` });
      return;
    }
    await sleep(1_000);
  }
}

const MAX_LOG_REPLY_LINES = 200;

/** The last lines of the stack's containers on its first target (a chat message is no place for a follow). */
async function logs(deps: WharfDeps, caller: Caller, job: ReplyJob): Promise<void> {
  const [name, ...rest] = job.args;
  const stack = await findStack(caller, name);
  const count = Math.min(Number(rest.find((arg) => /^\d+$/.test(arg)) ?? 20), MAX_LOG_REPLY_LINES);
  const service = rest.find((arg) => !/^\d+$/.test(arg));
  const host = stack.targets[0]?.host;
  if (!host) throw new WharfError("PRECONDITION_FAILED", `${stack.name} has no target hosts.`);
  const stream = await caller.stack.logs({ stackId: stack.id, hostId: host.id, tail: count, follow: false, ...(service ? { services: [service] } : {}) });
  const lines: string[] = [];
  // Tracked events arrive as [id, data] envelopes through a server-side caller.
  for await (const event of stream as AsyncIterable<unknown>) {
    const batch = (Array.isArray(event) ? event[1] : event) as { container: string; lines: { line: string }[] };
    lines.push(...batch.lines.map((l) => `${batch.container} | ${l.line}`));
  }
  const shown = lines.slice(-count);
  await post(deps, job, { response_type: "ephemeral", text: `${stack.name} on ${host.name}, last ${shown.length} line(s):\n\`\`\`\n${shown.join("\n")}\n\`\`\`` });
}

async function decide(deps: WharfDeps, caller: Caller, job: ReplyJob, approve: boolean): Promise<void> {
  let requestId = job.args[0] ?? "";
  if (!requestId) {
    const pending = await caller.approval.list({ status: "PENDING", limit: 10 });
    if (pending.length !== 1) {
      throw new WharfError("BAD_REQUEST", pending.length === 0 ? "No approval request is pending." : `Several requests are pending: name one (${pending.map((r) => `${r.id} ${r.action.toLowerCase()} ${r.stack.name}`).join(", ")}).`);
    }
    requestId = pending[0]?.id ?? "";
  }
  const result = await caller.approval.decide({ requestId, approve, comment: "from chat" });
  await post(deps, job, { response_type: "in_channel", replace_original: false, text: `Request ${requestId} ${approve ? "approved" : "rejected"}: now ${result.status.toLowerCase()}.` });
  if ("deploymentIds" in result && result.status === "APPROVED" && result.deploymentIds.length > 0) await followJobs(deps, caller, job, result.stack.name, result.deploymentIds);
}

/** Registers the bot's queue worker (called where the deployment runner starts). */
export async function startChatWorkers(deps: WharfDeps): Promise<void> {
  await deps.queue.work<ReplyJob>("chat-reply", (data) => runChatReply(deps, data));
}
