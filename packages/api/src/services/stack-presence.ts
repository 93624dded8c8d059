import type { DeploymentAction, Prisma } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";

type Db = Prisma.TransactionClient | WharfDeps["db"];

/** Actions on the containers a deploy made (the others bring their own revision). */
export const CONTAINER_ACTIONS: readonly DeploymentAction[] = ["STOP", "RESTART", "REDEPLOY", "DOWN"];

/**
 * The hosts where Wharf started this stack's containers and has not taken
 * them down since: a deploy, redeploy or rollback ran there (succeeded, or
 * failed or was cancelled part way, which can leave containers) after the
 * last successful down. A job refused by preflight or compose changed nothing.
 * Stop, restart, redeploy and down act on those containers; elsewhere compose
 * would find nothing and report success.
 */
export async function hostsWithStack(db: Db, stackId: string): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ hostId: string }[]>`
    SELECT DISTINCT d."hostId" FROM "Deployment" d
    WHERE d."stackId" = ${stackId}
      AND d.action IN ('DEPLOY', 'REDEPLOY', 'ROLLBACK')
      AND d."startedAt" IS NOT NULL
      AND (d.reason IS NULL OR d.reason NOT IN ('PREFLIGHT_FAILED', 'COMPOSE_INVALID'))
      AND NOT EXISTS (
        SELECT 1 FROM "Deployment" down
        WHERE down."stackId" = d."stackId" AND down."hostId" = d."hostId"
          AND down.action = 'DOWN' AND down.status = 'SUCCEEDED' AND down."createdAt" > d."createdAt"
      )`;
  return new Set(rows.map((row) => row.hostId));
}

/** Refuses an action on the stack's containers where there are none (see hostsWithStack). */
export async function assertStackOnHosts(db: Db, stack: { id: string; name: string }, action: DeploymentAction, hosts: { id: string; name: string }[]): Promise<void> {
  if (!CONTAINER_ACTIONS.includes(action)) return;
  const present = await hostsWithStack(db, stack.id);
  const missing = hosts.filter((host) => !present.has(host.id));
  if (missing.length === 0) return;
  const verb = action.toLowerCase();
  throw new WharfError(
    "PRECONDITION_FAILED",
    `Cannot ${verb} ${stack.name} on ${missing.map((host) => host.name).join(", ")}: it is not deployed there (never deployed, or taken down), so there is nothing to ${verb}. Deploy it there first.`,
    "NOT_DEPLOYED",
  );
}
