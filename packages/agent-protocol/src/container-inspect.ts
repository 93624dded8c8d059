import { z } from "zod";

import { containerRef } from "./container-actions";

/** `inspectContainer`: what the container page shows, read from `docker inspect`. NOT_FOUND when it is gone. */
export const inspectContainerParams = z.object({ id: containerRef });

export const healthCheckRun = z.object({
  start: z.string(),
  end: z.string(),
  exitCode: z.number().int(),
  output: z.string(),
});

export const containerLimits = z.object({
  /** Bytes; 0 is no limit (as Docker reports it). */
  memoryBytes: z.number(),
  memoryReservationBytes: z.number(),
  memorySwapBytes: z.number(),
  /** 1e9 is one CPU. */
  nanoCpus: z.number(),
  cpuShares: z.number(),
  cpuQuota: z.number(),
  cpuPeriod: z.number(),
  cpusetCpus: z.string(),
  cpusetMems: z.string(),
  cpuRealtimeRuntime: z.number(),
  cpuRealtimePeriod: z.number(),
  pidsLimit: z.number().nullable(),
  ulimits: z.array(z.object({ name: z.string(), soft: z.number(), hard: z.number() })),
  capAdd: z.array(z.string()),
  capDrop: z.array(z.string()),
  privileged: z.boolean(),
  devices: z.array(z.object({ pathOnHost: z.string(), pathInContainer: z.string(), permissions: z.string() })),
  /** GPUs and other device requests (`--gpus`, compose's reservations.devices). */
  deviceRequests: z.array(z.object({ driver: z.string(), count: z.number(), deviceIds: z.array(z.string()), capabilities: z.array(z.array(z.string())) })),
});
export type ContainerLimits = z.infer<typeof containerLimits>;

export const containerDetail = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  createdAt: z.string(),
  /** The process Docker runs: entrypoint and command together, as argv. */
  command: z.array(z.string()),
  workingDir: z.string(),
  user: z.string(),
  hostname: z.string(),
  tty: z.boolean(),
  state: z.object({
    status: z.string(),
    running: z.boolean(),
    paused: z.boolean(),
    restarting: z.boolean(),
    oomKilled: z.boolean(),
    pid: z.number(),
    exitCode: z.number(),
    error: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  }),
  health: z
    .object({
      status: z.string(),
      failingStreak: z.number(),
      /** The last checks, oldest first (Docker keeps five). */
      log: z.array(healthCheckRun),
    })
    .nullable(),
  restartCount: z.number(),
  restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number() }),
  ports: z.array(z.object({ containerPort: z.string(), hostIp: z.string().nullable(), hostPort: z.string().nullable() })),
  mounts: z.array(
    z.object({ type: z.string(), name: z.string().nullable(), source: z.string(), destination: z.string(), mode: z.string(), readWrite: z.boolean() }),
  ),
  networks: z.array(z.object({ name: z.string(), ipAddress: z.string(), gateway: z.string(), macAddress: z.string(), aliases: z.array(z.string()) })),
  limits: containerLimits,
  labels: z.record(z.string(), z.string()),
  /** In order; the control plane decides who sees the values. */
  env: z.array(z.object({ name: z.string(), value: z.string() })),
});
export type ContainerDetail = z.infer<typeof containerDetail>;
export const inspectContainerResult = containerDetail;
