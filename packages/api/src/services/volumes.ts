import { createVolumeParams, pruneVolumesParams, volumeName } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { callAgent } from "./hosts";

export const createVolumeInput = createVolumeParams;
export const volumeInput = z.object({ name: volumeName });
export const pruneVolumesInput = z.object({ dryRun: z.boolean().default(true), label: pruneVolumesParams.shape.label });

/** The host's volumes with their size and the containers using them (one `system df` and one container list). */
export async function listVolumeUsage(deps: WharfDeps, host: Host) {
  return callAgent(deps, host, "volumeUsage", {}, { timeoutMs: 120_000 });
}

async function audit(deps: WharfDeps, host: Host, actor: Actor, action: string, name: string, summary: string, data?: Record<string, string | number | string[]>) {
  await recordAudit(deps.db, { teamId: host.teamId, actor, action: `volume.${action}`, targetType: "volume", targetId: name, summary, ...(data ? { data } : {}) });
}

export async function createVolume(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof createVolumeInput>) {
  const created = await callAgent(deps, host, "createVolume", input);
  await audit(deps, host, actor, "create", created.name, `Created volume ${created.name} (${created.driver}) on ${host.name}`);
  return created;
}

/** Refused (CONFLICT, naming the containers) while any container uses it. */
export async function removeVolume(deps: WharfDeps, host: Host, actor: Actor, name: string) {
  const removed = await callAgent(deps, host, "removeVolume", { name });
  await audit(deps, host, actor, "remove", name, `Removed volume ${name} on ${host.name}`);
  return removed;
}

/** With dryRun, what would go and how much space would come back; else removes them. */
export async function pruneVolumes(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof pruneVolumesInput>) {
  const result = await callAgent(deps, host, "pruneVolumes", { dryRun: input.dryRun, ...(input.label ? { label: input.label } : {}) }, { timeoutMs: 300_000 });
  if (!input.dryRun) {
    await audit(deps, host, actor, "prune", host.id, `Pruned ${result.volumes.length} unused volume${result.volumes.length === 1 ? "" : "s"} on ${host.name}`, {
      volumes: result.volumes.map((volume) => volume.name),
      spaceReclaimedBytes: result.spaceReclaimedBytes,
    });
  }
  return result;
}
