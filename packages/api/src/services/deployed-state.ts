import type { DeploymentAction, Prisma } from "@wharf/db";

import type { WharfDeps } from "../deps";

type Db = Prisma.TransactionClient | WharfDeps["db"];

/** Actions that (re)create containers from a revision. */
export const UP_ACTIONS: readonly DeploymentAction[] = ["DEPLOY", "REDEPLOY", "ROLLBACK"];
/** The actions after which a host runs (or no longer runs) a revision of the stack. */
const DEPLOYED_ACTIONS: DeploymentAction[] = [...UP_ACTIONS, "DOWN"];

/**
 * What runs on a host, the one definition every view and action uses: the
 * revision and overlay of the newest successful deploy, redeploy or
 * rollback there, unless a down succeeded after it (then nothing).
 */
export interface Deployed {
  stackId: string;
  hostId: string;
  hostName: string;
  deploymentId: string;
  revisionId: string;
  revisionNumber: number;
  overlay: string | null;
  finishedAt: Date | null;
}

interface DeployedRow extends Deployed {
  action: DeploymentAction;
}

/** Per stack and host of these stacks, what runs there (hosts running nothing are left out); one query for any number of stacks. */
export async function deployedStates(db: Db, stackIds: string[]): Promise<Deployed[]> {
  if (stackIds.length === 0) return [];
  const rows = await db.$queryRaw<DeployedRow[]>`
    SELECT DISTINCT ON (d."stackId", d."hostId")
      d."stackId", d."hostId", h.name AS "hostName", d.id AS "deploymentId", d.action, d."revisionId",
      r.number AS "revisionNumber", d.overlay, d."finishedAt"
    FROM "Deployment" d JOIN "Host" h ON h.id = d."hostId" JOIN "StackRevision" r ON r.id = d."revisionId"
    WHERE d."stackId" = ANY(${stackIds}) AND d.status = 'SUCCEEDED'
      AND d.action = ANY(${DEPLOYED_ACTIONS}::"DeploymentAction"[])
    ORDER BY d."stackId", d."hostId", d."finishedAt" DESC`;
  return rows.filter((row) => row.action !== "DOWN").map(({ action: _action, ...deployed }) => deployed);
}

/** What runs on one host, with what that job recorded about it (merged config, image digests); null when nothing does. */
export async function deployedState(db: Db, stackId: string, hostId: string) {
  const job = await db.deployment.findFirst({
    where: { stackId, hostId, status: "SUCCEEDED", action: { in: DEPLOYED_ACTIONS } },
    orderBy: { finishedAt: "desc" },
    select: { id: true, action: true, finishedAt: true, revisionId: true, overlay: true, renderedCompose: true, imageDigests: true, revision: { select: { number: true } } },
  });
  return job && job.action !== "DOWN" ? job : null;
}
