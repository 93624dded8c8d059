import { connectNetworkParams, createNetworkParams, disconnectNetworkParams, networkRef } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { callAgent } from "./hosts";

export const createNetworkInput = createNetworkParams;
export const networkInput = z.object({ network: networkRef });
export const connectNetworkInput = connectNetworkParams;
export const disconnectNetworkInput = disconnectNetworkParams;

export async function listNetworkUsage(deps: WharfDeps, host: Host) {
  return callAgent(deps, host, "networkUsage", {});
}

async function audit(deps: WharfDeps, host: Host, actor: Actor, action: string, target: string, summary: string) {
  await recordAudit(deps.db, { teamId: host.teamId, actor, action: `network.${action}`, targetType: "network", targetId: target, summary });
}

export async function createNetwork(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof createNetworkInput>) {
  const created = await callAgent(deps, host, "createNetwork", input);
  const kind = [input.internal ? "internal" : null, input.subnet ?? null].filter(Boolean).join(", ");
  await audit(deps, host, actor, "create", created.id, `Created network ${created.name} (${input.driver ?? "bridge"}${kind ? `, ${kind}` : ""}) on ${host.name}`);
  return created;
}

/** Refused (CONFLICT, naming the containers) while any container is attached. */
export async function removeNetwork(deps: WharfDeps, host: Host, actor: Actor, network: string) {
  const removed = await callAgent(deps, host, "removeNetwork", { network });
  await audit(deps, host, actor, "remove", removed.id, `Removed network ${removed.name} on ${host.name}`);
  return removed;
}

export async function connectNetwork(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof connectNetworkInput>) {
  await callAgent(deps, host, "connectNetwork", input);
  await audit(deps, host, actor, "connect", input.network, `Connected container ${input.container} to network ${input.network} on ${host.name}`);
}

export async function disconnectNetwork(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof disconnectNetworkInput>) {
  await callAgent(deps, host, "disconnectNetwork", input);
  await audit(deps, host, actor, "disconnect", input.network, `Disconnected container ${input.container} from network ${input.network} on ${host.name}`);
}
