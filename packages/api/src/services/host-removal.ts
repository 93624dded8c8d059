import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { agentPaths } from "./agents";
import { type Actor, recordAudit } from "./audit";
import { deployedStates } from "./deployed-state";
import { startDeployment } from "./deployments";
import { assertHostIdle } from "./host-changes";
import { stacksByHost } from "./host-stacks";
import { forgetConnection, targetFor } from "./hosts";
import { cleanUpHosts } from "./project-cleanup";

/** How long a removal waits for the downs it queued. */
const DOWN_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 250;

export const removeHostInput = z.object({
  stopAgent: z.boolean().default(true),
  /** What happens to the containers Wharf deployed there: left running, or taken down (compose down) before the host goes. */
  containers: z.enum(["keep", "down"]).default("keep"),
});
export type RemoveHostInput = z.infer<typeof removeHostInput>;

/** The stacks that target the host, their state there, and whether Wharf's containers of them run there. */
export async function removalPlan(deps: WharfDeps, host: Host) {
  const stacks = (await stacksByHost(deps, host.teamId)).get(host.id) ?? [];
  const deployed = new Set((await deployedStates(deps.db, stacks.map((stack) => stack.id))).filter((state) => state.hostId === host.id).map((state) => state.stackId));
  return { stacks: stacks.map((stack) => ({ ...stack, deployed: deployed.has(stack.id) })) };
}

/** Queues a down of each stack on the host and waits for all of them; throws naming the ones that did not succeed. */
async function takeDown(deps: WharfDeps, host: Host, actor: Actor, stacks: { id: string; name: string }[]): Promise<void> {
  const jobs: { id: string; stack: string }[] = [];
  for (const stack of stacks) {
    const [job] = await startDeployment(deps, host.teamId, actor, { stackId: stack.id, action: "DOWN", hostIds: [host.id], options: {} });
    if (job) jobs.push({ id: job.id, stack: stack.name });
  }
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  for (;;) {
    const rows = await deps.db.deployment.findMany({ where: { id: { in: jobs.map((job) => job.id) } }, select: { id: true, status: true, error: true } });
    if (rows.every((row) => row.status !== "QUEUED" && row.status !== "RUNNING")) {
      const failed = rows.filter((row) => row.status !== "SUCCEEDED");
      if (failed.length === 0) return;
      const names = failed.map((row) => `${jobs.find((job) => job.id === row.id)?.stack ?? row.id} (${row.status.toLowerCase()}${row.error ? `: ${row.error}` : ""})`);
      throw new WharfError(
        "CONFLICT",
        `Taking ${names.join("; ")} down on ${host.name} did not succeed, so the host was not removed. Look at those jobs, then try again, or remove the host and keep the containers running.`,
        "DOWN_FAILED",
      );
    }
    if (Date.now() > deadline) {
      throw new WharfError("HOST_TIMEOUT", `The downs on ${host.name} did not finish within ${DOWN_TIMEOUT_MS / 60_000} minutes, so the host was not removed: check that the job runner is running.`, "TIMEOUT");
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Removes the host from Wharf (its targets, jobs and history go with it).
 * With containers "down", each stack deployed there is taken down first, as a
 * job like any other, and its files removed from the host; with "keep", the
 * containers keep running unmanaged. Stopping the agent is best effort.
 */
export async function removeHost(deps: WharfDeps, host: Host, actor: Actor, input: RemoveHostInput) {
  await assertHostIdle(deps, host, "removing the host");
  const { stacks } = await removalPlan(deps, host);
  const deployed = stacks.filter((stack) => stack.deployed);
  if (input.containers === "down" && deployed.length > 0) {
    await takeDown(deps, host, actor, deployed);
    for (const stack of deployed) await cleanUpHosts(deps, { teamId: host.teamId, actor, stackId: stack.id, stackName: stack.name }, [host]);
  }
  let agentStopped = false;
  if (input.stopAgent) {
    try {
      await deps.agents.stop(await targetFor(deps, host), agentPaths(host.agentDir));
      agentStopped = true;
    } catch {
      agentStopped = false;
    }
  }
  await forgetConnection(deps, host.id);
  const names = deployed.map((stack) => stack.name).join(", ");
  const containers = deployed.length === 0 ? "" : input.containers === "down" ? `; took down ${names} there first` : `; the containers of ${names} keep running there`;
  const agent = input.stopAgent ? (agentStopped ? " and stopped its agent" : " (its agent could not be stopped)") : "";
  await deps.db.$transaction(async (tx) => {
    await tx.host.delete({ where: { id: host.id } });
    await recordAudit(tx, {
      teamId: host.teamId,
      actor,
      action: "host.remove",
      targetType: "host",
      targetId: host.id,
      summary: `Removed host ${host.name}${agent}${containers}`,
      data: { stacks: stacks.map((stack) => stack.name), containers: input.containers, deployed: deployed.map((stack) => stack.name) },
    });
  });
  return { agentStopped, stacks: stacks.map((stack) => stack.name), tookDown: input.containers === "down" ? deployed.map((stack) => stack.name) : [] };
}
