import { z } from "zod";

/** Whether the host can grant a runtime limit, and why not when it cannot. */
export const capability = z.object({
  available: z.boolean(),
  detail: z.string(),
});
export type Capability = z.infer<typeof capability>;

export const hostFactsParams = z.object({});
export const hostFactsResult = z.object({
  hostname: z.string(),
  os: z.string(),
  kernel: z.string(),
  architecture: z.string(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  docker: z.object({
    version: z.string(),
    apiVersion: z.string(),
    rootDir: z.string(),
    storageDriver: z.string(),
    cgroupVersion: z.string(),
    cgroupDriver: z.string(),
    runtimes: z.array(z.string()),
    defaultRuntime: z.string(),
    containers: z.object({ total: z.number().int(), running: z.number().int(), stopped: z.number().int() }),
    images: z.number().int(),
  }),
  compose: z.object({
    /** "v2" when `docker compose` works, "v1" when only `docker-compose` does. */
    flavor: z.enum(["v2", "v1", "none"]),
    version: z.string().nullable(),
  }),
  capabilities: z.object({
    nvidiaRuntime: capability,
    realtimeCpu: capability,
    rtprio: capability,
  }),
});
export type HostFacts = z.infer<typeof hostFactsResult>;
