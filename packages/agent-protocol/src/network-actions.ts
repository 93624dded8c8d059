import { z } from "zod";

import { containerRef } from "./container-actions";

/** A network's id or name. */
export const networkRef = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a network is named by its id or its name: 1-128 characters of a-z, A-Z, 0-9, _, . and -, starting with a letter or digit");

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/, "a subnet is written as CIDR, e.g. 172.30.0.0/24");
const ip = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+$/, "a gateway is an IP address, e.g. 172.30.0.1");

/** `networkUsage`: per network, the containers attached to it. */
export const networkUsageParams = z.object({});
export const networkUsageEntry = z.object({ id: z.string(), name: z.string(), containers: z.array(z.object({ id: z.string(), name: z.string() })) });
export type NetworkUsageEntry = z.infer<typeof networkUsageEntry>;
export const networkUsageResult = z.array(networkUsageEntry);

/** `createNetwork`: a bridge network, optionally internal (no way out) and with its own subnet. CONFLICT when the name is taken. */
export const createNetworkParams = z.object({
  name: networkRef,
  driver: z.enum(["bridge", "overlay", "macvlan", "ipvlan"]).default("bridge"),
  internal: z.boolean().default(false),
  attachable: z.boolean().default(false),
  subnet: cidr.optional(),
  gateway: ip.optional(),
  labels: z.record(z.string().min(1).max(255), z.string().max(4096)).default({}),
});
export type CreateNetworkParams = z.input<typeof createNetworkParams>;
export const createNetworkResult = z.object({ id: z.string(), name: z.string() });

/** `removeNetwork`: CONFLICT, naming the containers, while any is attached; Docker's predefined networks are refused. */
export const removeNetworkParams = z.object({ network: networkRef });
export const removeNetworkResult = z.object({ id: z.string(), name: z.string() });

/** `connectNetwork` / `disconnectNetwork`: attach a container to a network or detach it. */
export const connectNetworkParams = z.object({
  network: networkRef,
  container: containerRef,
  aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, "an alias is a DNS name")).max(20).default([]),
});
export const disconnectNetworkParams = z.object({ network: networkRef, container: containerRef, force: z.boolean().default(false) });
export const networkAttachResult = z.object({});
