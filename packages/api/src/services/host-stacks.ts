import { type ContainerSummary, OWNER_LABELS } from "@wharf/agent-protocol";
import type { DeploymentAction, DeploymentStatus } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { UP_ACTIONS } from "./deployed-state";

/**
 * Containers per compose project on a host, counted by the host monitor on
 * each tick (one `listContainers` call per host) and stored on the host row:
 * the host list then reads what runs from Postgres instead of asking every
 * host's agent on each request. Counted per owner: `stack` is the stack id of
 * this installation's owner labels, null for containers without Wharf labels;
 * other installations' containers are not counted.
 */
export const composeProjectCounts = z.object({
  at: z.coerce.date(),
  projects: z.array(
    z.object({
      project: z.string(),
      // Counts recorded before owner labels have none: all their containers were unlabelled.
      stack: z.string().nullish().transform((stack) => stack ?? null),
      running: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
    }),
  ),
});
export type ComposeProjectCounts = z.infer<typeof composeProjectCounts>;

export function countComposeProjects(containers: ContainerSummary[], installationId: string, at = new Date()): ComposeProjectCounts {
  const counts = new Map<string, { project: string; stack: string | null; running: number; total: number }>();
  for (const container of containers) {
    if (!container.composeProject) continue;
    const installation = container.labels[OWNER_LABELS.installation];
    const stack = container.labels[OWNER_LABELS.stack];
    if ((installation !== undefined || stack !== undefined) && installation !== installationId) continue;
    const key = JSON.stringify([container.composeProject, stack ?? null]);
    const count = counts.get(key) ?? { project: container.composeProject, stack: stack ?? null, running: 0, total: 0 };
    count.total += 1;
    if (container.state === "running") count.running += 1;
    counts.set(key, count);
  }
  return { at, projects: [...counts.values()].sort((a, b) => a.project.localeCompare(b.project) || (a.stack ?? "").localeCompare(b.stack ?? "")) };
}

function parseCounts(value: unknown): ComposeProjectCounts | null {
  const parsed = composeProjectCounts.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * A stack's state on one host, for lists: DEPLOYING while a job is queued or
 * running; FAILED when its last deploy, redeploy or rollback there failed;
 * otherwise what its last successful job left (RUNNING, STOPPED, or
 * NOT_DEPLOYED before any deploy and after down), corrected by the monitor's
 * container count when that was taken after the job ended (PARTIAL when some
 * of its containers are not running).
 */
export type StackState = "DEPLOYING" | "FAILED" | "RUNNING" | "PARTIAL" | "STOPPED" | "NOT_DEPLOYED";

// The actions that change what runs on the host; pull and build do not.
const STATE_ACTIONS = ["DEPLOY", "REDEPLOY", "ROLLBACK", "RESTART", "STOP", "DOWN"] satisfies DeploymentAction[];

export interface StackStateInput {
  /** The queued or running job (at most one per stack and host). */
  active: { action: DeploymentAction } | null;
  /** The newest finished job among STATE_ACTIONS, succeeded or failed. */
  settled: { action: DeploymentAction; status: DeploymentStatus } | null;
  /** The newest successful one. */
  ran: { action: DeploymentAction; finishedAt: Date | null } | null;
  /** This stack's containers by the monitor's last count on the host; null when never counted. */
  observed: { running: number; total: number; at: Date } | null;
}

export interface StackStateResult {
  state: StackState;
  /** The job in progress (DEPLOYING) or the one that failed (FAILED). */
  action: DeploymentAction | null;
  /** Containers running and in total, when the monitor's count decided the state. */
  containers: { running: number; total: number } | null;
}

export function stackState({ active, settled, ran, observed }: StackStateInput): StackStateResult {
  if (active) return { state: "DEPLOYING", action: active.action, containers: null };
  if (settled?.status === "FAILED" && UP_ACTIONS.includes(settled.action)) return { state: "FAILED", action: settled.action, containers: null };
  if (!ran || ran.action === "DOWN") return { state: "NOT_DEPLOYED", action: null, containers: null };
  // A count from before the job ended says nothing about what the job left.
  if (observed && ran.finishedAt && observed.at > ran.finishedAt) {
    const containers = { running: observed.running, total: observed.total };
    if (observed.running === 0) return { state: "STOPPED", action: null, containers };
    return { state: observed.running < observed.total ? "PARTIAL" : "RUNNING", action: null, containers };
  }
  return { state: ran.action === "STOP" ? "STOPPED" : "RUNNING", action: null, containers: null };
}

export interface HostStack extends StackStateResult {
  id: string;
  name: string;
}

interface TargetRow {
  hostId: string;
  stackId: string;
  stackName: string;
  composeProjects: unknown;
  activeAction: DeploymentAction | null;
  settledAction: DeploymentAction | null;
  settledStatus: DeploymentStatus | null;
  ranAction: DeploymentAction | null;
  ranAt: Date | null;
  adoptsUnlabelled: boolean;
}

/** The team's stacks by host (every target, deployed or not), with their state there; one query. */
export async function stacksByHost(deps: WharfDeps, teamId: string): Promise<Map<string, HostStack[]>> {
  // Jobs of one stack and host run one at a time, so creation order is finishing order (and uses the index).
  const rows = await deps.db.$queryRaw<TargetRow[]>`
    SELECT t."hostId", s.id AS "stackId", s.name AS "stackName", h."composeProjects",
      active.action AS "activeAction", settled.action AS "settledAction", settled.status AS "settledStatus",
      ran.action AS "ranAction", ran."finishedAt" AS "ranAt",
      COALESCE(lastup."finishedAt" < (SELECT i."labelledSince" FROM "Installation" i), false) AS "adoptsUnlabelled"
    FROM "StackTarget" t
    JOIN "Stack" s ON s.id = t."stackId"
    JOIN "Host" h ON h.id = t."hostId"
    LEFT JOIN LATERAL (
      SELECT d.action FROM "Deployment" d
      WHERE d."stackId" = t."stackId" AND d."hostId" = t."hostId" AND d.status IN ('QUEUED', 'RUNNING')
      ORDER BY d."createdAt" DESC LIMIT 1
    ) active ON true
    LEFT JOIN LATERAL (
      SELECT d.action, d.status FROM "Deployment" d
      WHERE d."stackId" = t."stackId" AND d."hostId" = t."hostId" AND d.status IN ('SUCCEEDED', 'FAILED')
        AND d.action = ANY(${STATE_ACTIONS}::"DeploymentAction"[])
      ORDER BY d."createdAt" DESC LIMIT 1
    ) settled ON true
    LEFT JOIN LATERAL (
      SELECT d.action, d."finishedAt" FROM "Deployment" d
      WHERE d."stackId" = t."stackId" AND d."hostId" = t."hostId" AND d.status = 'SUCCEEDED'
        AND d.action = ANY(${STATE_ACTIONS}::"DeploymentAction"[])
      ORDER BY d."createdAt" DESC LIMIT 1
    ) ran ON true
    LEFT JOIN LATERAL (
      SELECT max(d."finishedAt") AS "finishedAt" FROM "Deployment" d
      WHERE d."stackId" = t."stackId" AND d."hostId" = t."hostId" AND d.status = 'SUCCEEDED'
        AND d.action = ANY(${[...UP_ACTIONS]}::"DeploymentAction"[])
    ) lastup ON true
    WHERE s."teamId" = ${teamId} AND h."teamId" = ${teamId}
    ORDER BY s.name`;
  const counts = new Map<string, ComposeProjectCounts | null>();
  const byHost = new Map<string, HostStack[]>();
  for (const row of rows) {
    if (!counts.has(row.hostId)) counts.set(row.hostId, parseCounts(row.composeProjects));
    const observedOn = counts.get(row.hostId);
    // The stack's own containers, and those without labels while it adopts them (see projectOwner).
    const project = observedOn?.projects
      .filter((p) => p.project === row.stackName && (p.stack === row.stackId || (p.stack === null && row.adoptsUnlabelled)))
      .reduce((sum, p) => ({ running: sum.running + p.running, total: sum.total + p.total }), { running: 0, total: 0 });
    const state = stackState({
      active: row.activeAction ? { action: row.activeAction } : null,
      settled: row.settledAction && row.settledStatus ? { action: row.settledAction, status: row.settledStatus } : null,
      ran: row.ranAction ? { action: row.ranAction, finishedAt: row.ranAt } : null,
      // A project absent from a count has no containers left there.
      observed: observedOn ? { running: project?.running ?? 0, total: project?.total ?? 0, at: observedOn.at } : null,
    });
    const list = byHost.get(row.hostId) ?? [];
    list.push({ id: row.stackId, name: row.stackName, ...state });
    byHost.set(row.hostId, list);
  }
  return byHost;
}
