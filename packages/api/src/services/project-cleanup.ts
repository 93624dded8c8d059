import { PROJECT_CALL_TIMEOUT_MS } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { callAgent } from "./hosts";
import { projectNameOf } from "./stack-project";

export interface ProjectCleanup {
  host: string;
  /** True when a directory was there and is gone; false when there was nothing (or it could not be removed). */
  removed: boolean;
  /** Why the directory is still on the host; null when nothing is left. */
  error: string | null;
}

/**
 * Removes a stack's project directory (its files, `.env` with the secrets, and
 * the agent's bookkeeping) from each host, in parallel. Called once the stack
 * or its target is gone from the database, so a failure here cannot be undone
 * by a retry in Wharf: it is reported per host with what to do instead.
 */
async function removeProjectDirs(deps: WharfDeps, stackName: string, hosts: readonly Host[]): Promise<ProjectCleanup[]> {
  const name = projectNameOf(stackName);
  return Promise.all(
    hosts.map(async (host) => {
      try {
        const { removed } = await callAgent(deps, host, "composeRemoveProject", { name }, { timeoutMs: PROJECT_CALL_TIMEOUT_MS });
        return { host: host.name, removed, error: null };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return { host: host.name, removed: false, error: `${why} Its directory ${name} stays under the agent's stacks directory on ${host.name}: remove it there by hand.` };
      }
    }),
  );
}

/**
 * Removes the directories and records what happened in the audit log (one
 * event, naming the hosts that kept their files). Returns the per-host results.
 */
export async function cleanUpHosts(
  deps: WharfDeps,
  audit: { teamId: string; actor: Actor; stackId: string; stackName: string },
  hosts: readonly Host[],
): Promise<ProjectCleanup[]> {
  if (hosts.length === 0) return [];
  const results = await removeProjectDirs(deps, audit.stackName, hosts);
  const cleaned = results.filter((result) => result.error === null).map((result) => result.host);
  const kept = results.filter((result) => result.error !== null).map((result) => result.host);
  const parts = [
    ...(cleaned.length > 0 ? [`removed the files of ${audit.stackName} from ${cleaned.join(", ")}`] : []),
    ...(kept.length > 0 ? [`could not remove them from ${kept.join(", ")}`] : []),
  ];
  await deps.db.$transaction((tx) =>
    recordAudit(tx, {
      teamId: audit.teamId,
      actor: audit.actor,
      action: "stack.files.remove",
      targetType: "stack",
      targetId: audit.stackId,
      summary: `${parts.join("; ").replace(/^./, (first) => first.toUpperCase())}`,
      data: { results: results.map((result) => ({ host: result.host, removed: result.removed, error: result.error })) },
    }),
  );
  return results;
}
