import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { AgentFailure } from "../failure";
import type { CallHandler } from "./context";

const PREDEFINED = new Set(["bridge", "host", "none"]);

const attached = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullish(),
    NetworkSettings: z.object({ Networks: z.record(z.string(), z.object({ NetworkID: z.string().nullish() })).nullish() }).nullish(),
  }),
);
const networkList = z.array(z.object({ Id: z.string(), Name: z.string() }));

/** Containers per network id, running or not (a stopped container keeps its endpoints' configuration). */
async function networkUsers(docker: Docker, signal: AbortSignal): Promise<Map<string, { id: string; name: string }[]>> {
  const containers = parseDockerResponse(attached, await docker.listContainers({ all: true, abortSignal: signal }), "container list");
  const users = new Map<string, { id: string; name: string }[]>();
  for (const container of containers) {
    const name = (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, "");
    for (const endpoint of Object.values(container.NetworkSettings?.Networks ?? {})) {
      if (!endpoint.NetworkID) continue;
      const list = users.get(endpoint.NetworkID) ?? [];
      list.push({ id: container.Id, name });
      users.set(endpoint.NetworkID, list);
    }
  }
  return users;
}

export const networkUsage: CallHandler<"networkUsage"> = async (_params, ctx) => {
  const [networks, users] = await Promise.all([
    ctx.docker.listNetworks({ abortSignal: ctx.signal }).then((raw) => parseDockerResponse(networkList, raw, "network list")),
    networkUsers(ctx.docker, ctx.signal),
  ]);
  return networks.map((network) => ({ id: network.Id, name: network.Name, containers: users.get(network.Id) ?? [] }));
};

export const createNetwork: CallHandler<"createNetwork"> = async (params, ctx) => {
  const created = parseDockerResponse(
    z.object({ id: z.string() }),
    await ctx.docker.createNetwork({
      Name: params.name,
      Driver: params.driver,
      Internal: params.internal,
      Attachable: params.attachable,
      // Docker would otherwise create a second network of the same name.
      CheckDuplicate: true,
      Labels: params.labels,
      ...(params.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: params.subnet, ...(params.gateway ? { Gateway: params.gateway } : {}) }] } } : {}),
      abortSignal: ctx.signal,
    }),
    "network",
  );
  ctx.log.info("network created", { network: params.name });
  return { id: created.id, name: params.name };
};

const inspectedNetwork = z.object({ Id: z.string(), Name: z.string() });

export const removeNetwork: CallHandler<"removeNetwork"> = async (params, ctx) => {
  const network = parseDockerResponse(inspectedNetwork, await ctx.docker.getNetwork(params.network).inspect(), "network");
  if (PREDEFINED.has(network.Name)) throw new AgentFailure("CONFLICT", `${network.Name} is one of Docker's predefined networks and cannot be removed`);
  const users = (await networkUsers(ctx.docker, ctx.signal)).get(network.Id) ?? [];
  if (users.length > 0) {
    throw new AgentFailure("CONFLICT", `network ${network.Name} is in use by ${users.map((user) => user.name).join(", ")}: disconnect or remove ${users.length === 1 ? "that container" : "those containers"} first`);
  }
  await ctx.docker.getNetwork(network.Id).remove({ abortSignal: ctx.signal });
  ctx.log.info("network removed", { network: network.Name });
  return { id: network.Id, name: network.Name };
};

export const connectNetwork: CallHandler<"connectNetwork"> = async (params, ctx) => {
  await ctx.docker.getNetwork(params.network).connect({ Container: params.container, EndpointConfig: { Aliases: params.aliases } });
  return {};
};

export const disconnectNetwork: CallHandler<"disconnectNetwork"> = async (params, ctx) => {
  await ctx.docker.getNetwork(params.network).disconnect({ Container: params.container, Force: params.force });
  return {};
};
