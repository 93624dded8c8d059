import type { ProjectOwner } from "@wharf/agent-protocol";

import type { WharfDeps } from "../deps";

export interface Installation {
  id: string;
  /** Containers deployed before this carry no owner labels. */
  labelledSince: Date;
}

const installations = new WeakMap<WharfDeps, Promise<Installation>>();

/** This installation's row (its migration creates it; created here too if a database lost it). */
export function installation(deps: WharfDeps): Promise<Installation> {
  let found = installations.get(deps);
  if (found === undefined) {
    found = readInstallation(deps);
    installations.set(deps, found);
    // A failed read is not remembered.
    found.catch(() => installations.delete(deps));
  }
  return found;
}

async function readInstallation(deps: WharfDeps): Promise<Installation> {
  // "DO UPDATE" of nothing, so that RETURNING gives the row that already exists.
  const rows = await deps.db.$queryRaw<Installation[]>`
    INSERT INTO "Installation" ("id") VALUES (gen_random_uuid()::text)
    ON CONFLICT ("singleton") DO UPDATE SET "singleton" = true
    RETURNING "id", "labelledSince"`;
  const row = rows[0];
  if (row === undefined) throw new Error("the installation row could not be read");
  return row;
}

/**
 * Who owns `stack`'s compose project on `host`, for the agent: this installation
 * and the stack. Its unlabelled containers are adopted while its last successful
 * up there ran before containers were labelled (the next up labels them).
 */
export async function projectOwner(deps: WharfDeps, stackId: string, hostId: string): Promise<ProjectOwner> {
  const { id, labelledSince } = await installation(deps);
  const lastUp = await deps.db.deployment.findFirst({
    where: { stackId, hostId, status: "SUCCEEDED", finishedAt: { not: null }, action: { in: ["DEPLOY", "REDEPLOY", "ROLLBACK"] } },
    orderBy: { finishedAt: "desc" },
    select: { finishedAt: true },
  });
  const adoptUnlabelled = lastUp?.finishedAt !== undefined && lastUp.finishedAt !== null && lastUp.finishedAt < labelledSince;
  return { installation: id, stack: stackId, adoptUnlabelled };
}
