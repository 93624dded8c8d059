import type { NetworkSummary } from "@wharf/agent-protocol";
import { z } from "zod";

import { isoTimestamp, parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

const dockerNetwork = z.object({
  Id: z.string(),
  Name: z.string(),
  Driver: z.string(),
  Scope: z.string(),
  Internal: z.boolean().nullish(),
  Created: z.string(),
  IPAM: z.object({ Config: z.array(z.object({ Subnet: z.string().nullish() })).nullish() }).nullish(),
});
export type DockerNetwork = z.infer<typeof dockerNetwork>;

export const listNetworks: CallHandler<"listNetworks"> = async (_params, ctx) => {
  const raw = await ctx.docker.listNetworks({ abortSignal: ctx.signal });
  return parseDockerResponse(z.array(dockerNetwork), raw, "network list").map(toNetworkSummary);
};

export function toNetworkSummary(network: DockerNetwork): NetworkSummary {
  return {
    id: network.Id,
    name: network.Name,
    driver: network.Driver,
    scope: network.Scope,
    internal: network.Internal ?? false,
    subnets: (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet ? [config.Subnet] : [])),
    createdAt: isoTimestamp(network.Created),
  };
}
