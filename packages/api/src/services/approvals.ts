import type { ApprovalStatus, Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type ComparedContent, diffForHost, type HostDiff } from "../lib/approval-diff";
import { roleCan } from "../permissions";
import { effectiveRole } from "./access";
import { type Actor, recordAudit } from "./audit";
import { deployedState } from "./deployed-state";
import { chooseTargets, describeAction, startDeployment, type StartDeploymentInput, startDeploymentInput } from "./deployments";
import { protectionsFor } from "./protection";
import { publicContent } from "./stack-project";
import { findRevisionRow } from "./stacks";
import { resolveMembership } from "./teams";
import { publishEvent } from "./webhooks";

type Tx = Prisma.TransactionClient;

export const decideInput = z.object({
  requestId: z.string().min(1),
  approve: z.boolean(),
  comment: z.string().trim().max(1_000).default(""),
});
export const listRequestsInput = z.object({
  stackId: z.string().min(1).optional(),
  status: z.enum(["PENDING", "APPROVED", "REJECTED", "EXPIRED"]).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

const requestSelect = {
  id: true,
  action: true,
  input: true,
  revisionNumber: true,
  diff: true,
  environmentIds: true,
  requiredApprovals: true,
  status: true,
  requestedById: true,
  requestedByLabel: true,
  expiresAt: true,
  decidedAt: true,
  deploymentIds: true,
  error: true,
  createdAt: true,
  stack: { select: { id: true, name: true } },
  decisions: { orderBy: { createdAt: "asc" }, select: { userId: true, userLabel: true, approve: true, comment: true, createdAt: true } },
} satisfies Prisma.ApprovalRequestSelect;

type RequestRow = Prisma.ApprovalRequestGetPayload<{ select: typeof requestSelect }>;

function toPublic(row: RequestRow) {
  const { input, diff, ...rest } = row;
  const parsed = startDeploymentInput.safeParse(input);
  return { ...rest, hostIds: parsed.success ? (parsed.data.hostIds ?? []) : [], options: parsed.success ? parsed.data.options : {}, diff: diff as unknown as HostDiff[] };
}

function compared(row: { number: number; files: unknown; env: unknown; limits: unknown; secretNames: string[] }): ComparedContent {
  const content = publicContent(row);
  return { number: row.number, files: content.files, envNames: [...content.env.map((e) => e.key), ...row.secretNames].sort(), limits: content.limits };
}

const comparedSelect = { number: true, files: true, env: true, limits: true, secretNames: true } satisfies Prisma.StackRevisionSelect;

/**
 * A deploy, redeploy, rollback or down on hosts of a protected environment,
 * recorded with the diff against what runs there. Deploy takes the latest
 * revision now, so that approval runs what was shown, not what was saved since.
 */
export async function requestApproval(deps: WharfDeps, teamId: string, actor: Actor, input: StartDeploymentInput) {
  const { stack, chosen } = await chooseTargets(deps, teamId, input);
  const protections = await protectionsFor(deps.db, input.action, chosen.map((target) => target.host));
  if (protections.length === 0) {
    throw new WharfError("BAD_REQUEST", `No host of this ${input.action.toLowerCase()} is in a protected environment: run it directly.`, "NOT_PROTECTED");
  }
  const pinned: StartDeploymentInput =
    input.action === "DEPLOY" && input.revisionNumber === undefined ? { ...input, revisionNumber: (await findRevisionRow(deps, stack.id, undefined)).number } : input;
  const hostIds = chosen.map((target) => target.hostId);
  const diff = await Promise.all(
    chosen.map(async ({ host }) => {
      const running = await deployedState(deps.db, stack.id, host.id);
      const runningRow = running ? await deps.db.stackRevision.findUniqueOrThrow({ where: { id: running.revisionId }, select: comparedSelect }) : null;
      // Redeploy runs what runs; down leaves nothing; deploy and rollback run the chosen revision.
      const requestedRow =
        input.action === "DOWN" ? null : input.action === "REDEPLOY" ? runningRow : await deps.db.stackRevision.findFirst({ where: { stackId: stack.id, number: pinned.revisionNumber }, select: comparedSelect });
      return diffForHost(host, runningRow ? compared(runningRow) : null, requestedRow ? compared(requestedRow) : null);
    }),
  );
  const requiredApprovals = Math.max(...protections.map((p) => p.requiredApprovals));
  const expiresAt = new Date(Date.now() + Math.min(...protections.map((p) => p.expiresAfterMinutes)) * 60_000);
  const hostNames = chosen.map((target) => target.host.name).join(", ");
  const request = await deps.db.$transaction(async (tx) => {
    const row = await tx.approvalRequest.create({
      data: {
        teamId,
        stackId: stack.id,
        environmentIds: protections.map((p) => p.environmentId),
        action: input.action,
        input: { ...pinned, hostIds },
        revisionNumber: pinned.revisionNumber ?? null,
        diff: diff as unknown as Prisma.InputJsonValue,
        requiredApprovals,
        requestedById: actor.id,
        requestedByLabel: actor.label,
        expiresAt,
      },
      select: requestSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "approval.request",
      targetType: "approval",
      targetId: row.id,
      summary: `Asked for approval of a ${input.action.toLowerCase()} of ${stack.name}${pinned.revisionNumber ? ` revision ${pinned.revisionNumber}` : ""} on ${hostNames}`,
      data: { stackId: stack.id, hostIds, requiredApprovals },
    });
    return toPublic(row);
  });
  void publishEvent(deps, teamId, "approval.requested", {
    requestId: request.id,
    action: input.action.toLowerCase(),
    stack: stack.name,
    stackId: stack.id,
    revision: request.revisionNumber,
    requestedBy: actor.label,
  });
  return request;
}

async function findRequest(db: Tx | WharfDeps["db"], teamId: string, requestId: string) {
  const row = await db.approvalRequest.findFirst({ where: { id: requestId, teamId }, select: requestSelect });
  if (!row) throw notFound("That approval request");
  return row;
}

export async function listRequests(deps: WharfDeps, teamId: string, input: z.infer<typeof listRequestsInput>) {
  const rows = await deps.db.approvalRequest.findMany({
    where: { teamId, ...(input.stackId ? { stackId: input.stackId } : {}), ...(input.status ? { status: input.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    select: requestSelect,
  });
  return rows.map(toPublic);
}

export async function getRequest(deps: WharfDeps, teamId: string, requestId: string) {
  return toPublic(await findRequest(deps.db, teamId, requestId));
}

async function expire(tx: Tx, row: { id: string; teamId: string; stackName: string; action: string }) {
  const updated = await tx.approvalRequest.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "EXPIRED", decidedAt: new Date() } });
  if (updated.count === 0) return;
  await recordAudit(tx, {
    teamId: row.teamId,
    actor: { id: null, label: "Wharf" },
    action: "approval.expire",
    targetType: "approval",
    targetId: row.id,
    summary: `The request to ${row.action.toLowerCase()} ${row.stackName} expired without enough approvals`,
  });
}

/** Marks pending requests past their deadline as expired, each with its audit entry (the job runner's sweep calls this). */
export async function expireApprovalRequests(deps: WharfDeps): Promise<number> {
  const due = await deps.db.approvalRequest.findMany({
    where: { status: "PENDING", expiresAt: { lte: new Date() } },
    select: { id: true, teamId: true, action: true, stack: { select: { name: true } } },
    take: 100,
  });
  for (const row of due) await deps.db.$transaction((tx) => expire(tx, { id: row.id, teamId: row.teamId, action: row.action, stackName: row.stack.name }));
  return due.length;
}

const STATE: Record<ApprovalStatus, string> = { PENDING: "pending", APPROVED: "already approved", REJECTED: "already rejected", EXPIRED: "expired" };

/**
 * One member's answer. Never the requester's; once per member; only while
 * pending and before the deadline. Enough approvals run the job as requested
 * (the requester's action, revision and hosts, with the requester as its author).
 */
export async function decideRequest(deps: WharfDeps, teamId: string, actor: Actor & { id: string }, input: z.infer<typeof decideInput>) {
  const membership = await resolveMembership(deps, actor.id, teamId);
  const outcome = await deps.db.$transaction(async (tx) => {
    // Row lock: two approvers at once must not both see one approval missing.
    await tx.$queryRaw`SELECT id FROM "ApprovalRequest" WHERE id = ${input.requestId} AND "teamId" = ${teamId} FOR UPDATE`;
    const row = await findRequest(tx, teamId, input.requestId);
    const what = `the request to ${row.action.toLowerCase()} ${row.stack.name}`;
    if (row.status !== "PENDING") throw new WharfError("CONFLICT", `${what[0]?.toUpperCase()}${what.slice(1)} is ${STATE[row.status]}: nothing to decide.`, `REQUEST_${row.status}`);
    if (row.expiresAt.getTime() <= Date.now()) {
      await expire(tx, { id: row.id, teamId, action: row.action, stackName: row.stack.name });
      return { expired: true as const, what };
    }
    if (row.requestedById === actor.id) throw new WharfError("FORBIDDEN", `You asked for ${what}: another member must approve or reject it.`, "OWN_REQUEST");
    if (!roleCan(effectiveRole(membership, row.environmentIds), "deployment:approve")) {
      throw new WharfError("FORBIDDEN", `Your role does not allow approving deployments in this environment.`, "CANNOT_APPROVE");
    }
    if (row.decisions.some((d) => d.userId === actor.id)) throw new WharfError("CONFLICT", `You already answered ${what}.`, "ALREADY_DECIDED");
    if (input.approve) await assertStillRuns(tx, row);
    await tx.approvalDecision.create({ data: { requestId: row.id, userId: actor.id, userLabel: actor.label, approve: input.approve, comment: input.comment } });
    const approvals = row.decisions.filter((d) => d.approve).length + (input.approve ? 1 : 0);
    const status: ApprovalStatus = !input.approve ? "REJECTED" : approvals >= row.requiredApprovals ? "APPROVED" : "PENDING";
    if (status !== "PENDING") await tx.approvalRequest.update({ where: { id: row.id }, data: { status, decidedAt: new Date() } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: input.approve ? "approval.approve" : "approval.reject",
      targetType: "approval",
      targetId: row.id,
      summary: `${input.approve ? "Approved" : "Rejected"} ${what} (asked by ${row.requestedByLabel}; ${approvals} of ${row.requiredApprovals} approval(s))${input.comment ? `: ${input.comment}` : ""}`,
      data: { comment: input.comment },
    });
    return { expired: false as const, status, row };
  });
  if (outcome.expired) throw new WharfError("CONFLICT", `${outcome.what[0]?.toUpperCase()}${outcome.what.slice(1)} expired: ask for it again.`, "REQUEST_EXPIRED");
  if (outcome.status !== "PENDING") {
    void publishEvent(deps, teamId, "approval.decided", {
      requestId: outcome.row.id,
      action: outcome.row.action.toLowerCase(),
      stack: outcome.row.stack.name,
      stackId: outcome.row.stack.id,
      status: outcome.status.toLowerCase(),
      decidedBy: actor.label,
    });
  }
  if (outcome.status !== "APPROVED") return getRequest(deps, teamId, input.requestId);
  return runApproved(deps, teamId, outcome.row);
}

/** An approval applies the diff it was shown: refused when what runs on a host changed since the request. */
async function assertStillRuns(tx: Tx, row: RequestRow): Promise<void> {
  for (const shown of row.diff as unknown as HostDiff[]) {
    const now = (await deployedState(tx, row.stack.id, shown.hostId))?.revision.number ?? null;
    if (now !== shown.running) {
      const describe = (n: number | null) => (n === null ? "nothing" : `revision ${n}`);
      throw new WharfError(
        "CONFLICT",
        `What runs on ${shown.hostName} changed since this request (${describe(now)} now, ${describe(shown.running)} then), so its diff is out of date: reject it and ask again.`,
        "REQUEST_STALE",
      );
    }
  }
}

/** Queues the jobs exactly as requested; a refusal now (preflight, guardrails, a busy host) is kept on the request. */
async function runApproved(deps: WharfDeps, teamId: string, row: RequestRow) {
  const input = startDeploymentInput.parse(row.input);
  const requester = { id: row.requestedById, label: row.requestedByLabel };
  try {
    const jobs = await startDeployment(deps, teamId, requester, input, { approved: true });
    await deps.db.approvalRequest.update({ where: { id: row.id }, data: { deploymentIds: jobs.map((job) => job.id) } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.db.approvalRequest.update({ where: { id: row.id }, data: { error: message } });
    throw new WharfError(
      error instanceof WharfError ? error.code : "INTERNAL",
      `Approved, but the ${describeAction(row.action).toLowerCase()} could not start: ${message}`,
      error instanceof WharfError ? error.reason : undefined,
      error instanceof WharfError ? error.problems : undefined,
    );
  }
  return getRequest(deps, teamId, row.id);
}
