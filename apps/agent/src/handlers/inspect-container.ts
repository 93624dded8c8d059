import type { ContainerDetail } from "@wharf/agent-protocol";
import { z } from "zod";

import { isoTimestamp, parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

const num = z.number().nullish();
const strings = z.array(z.string()).nullish();

const dockerInspect = z.object({
  Id: z.string(),
  Name: z.string(),
  Image: z.string(),
  Created: z.string(),
  Path: z.string().nullish(),
  Args: strings,
  RestartCount: num,
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    Paused: z.boolean(),
    Restarting: z.boolean(),
    OOMKilled: z.boolean(),
    Pid: z.number(),
    ExitCode: z.number(),
    Error: z.string().nullish(),
    StartedAt: z.string().nullish(),
    FinishedAt: z.string().nullish(),
    Health: z
      .object({
        Status: z.string(),
        FailingStreak: num,
        Log: z.array(z.object({ Start: z.string(), End: z.string(), ExitCode: z.number(), Output: z.string() })).nullish(),
      })
      .nullish(),
  }),
  Config: z.object({
    Image: z.string(),
    Env: strings,
    Labels: z.record(z.string(), z.string()).nullish(),
    WorkingDir: z.string().nullish(),
    User: z.string().nullish(),
    Hostname: z.string().nullish(),
    Tty: z.boolean().nullish(),
  }),
  HostConfig: z.object({
    Memory: num,
    MemoryReservation: num,
    MemorySwap: num,
    NanoCpus: num,
    CpuShares: num,
    CpuQuota: num,
    CpuPeriod: num,
    CpusetCpus: z.string().nullish(),
    CpusetMems: z.string().nullish(),
    CpuRealtimeRuntime: num,
    CpuRealtimePeriod: num,
    PidsLimit: num,
    Ulimits: z.array(z.object({ Name: z.string(), Soft: z.number(), Hard: z.number() })).nullish(),
    CapAdd: strings,
    CapDrop: strings,
    Privileged: z.boolean().nullish(),
    Devices: z.array(z.object({ PathOnHost: z.string(), PathInContainer: z.string(), CgroupPermissions: z.string().nullish() })).nullish(),
    DeviceRequests: z
      .array(z.object({ Driver: z.string().nullish(), Count: num, DeviceIDs: strings, Capabilities: z.array(z.array(z.string())).nullish() }))
      .nullish(),
    RestartPolicy: z.object({ Name: z.string().nullish(), MaximumRetryCount: num }).nullish(),
  }),
  Mounts: z
    .array(
      z.object({
        Type: z.string().nullish(),
        Name: z.string().nullish(),
        Source: z.string().nullish(),
        Destination: z.string(),
        Mode: z.string().nullish(),
        RW: z.boolean().nullish(),
      }),
    )
    .nullish(),
  NetworkSettings: z
    .object({
      Ports: z.record(z.string(), z.array(z.object({ HostIp: z.string().nullish(), HostPort: z.string().nullish() })).nullable()).nullish(),
      Networks: z
        .record(
          z.string(),
          z.object({ IPAddress: z.string().nullish(), Gateway: z.string().nullish(), MacAddress: z.string().nullish(), Aliases: strings }),
        )
        .nullish(),
    })
    .nullish(),
});
type DockerInspect = z.infer<typeof dockerInspect>;

export const inspectContainer: CallHandler<"inspectContainer"> = async (params, ctx) => {
  const raw = await ctx.docker.getContainer(params.id).inspect({ abortSignal: ctx.signal });
  return toContainerDetail(parseDockerResponse(dockerInspect, raw, "container"));
};

/** Docker's zero time ("0001-01-01T00:00:00Z") means never. */
function time(value: string | null | undefined): string | null {
  return !value || value.startsWith("0001-") ? null : isoTimestamp(value);
}

export function toContainerDetail(raw: DockerInspect): ContainerDetail {
  const host = raw.HostConfig;
  const health = raw.State.Health;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ""),
    image: raw.Config.Image,
    imageId: raw.Image,
    createdAt: isoTimestamp(raw.Created),
    command: [...(raw.Path ? [raw.Path] : []), ...(raw.Args ?? [])],
    workingDir: raw.Config.WorkingDir ?? "",
    user: raw.Config.User ?? "",
    hostname: raw.Config.Hostname ?? "",
    tty: raw.Config.Tty ?? false,
    state: {
      status: raw.State.Status,
      running: raw.State.Running,
      paused: raw.State.Paused,
      restarting: raw.State.Restarting,
      oomKilled: raw.State.OOMKilled,
      pid: raw.State.Pid,
      exitCode: raw.State.ExitCode,
      error: raw.State.Error ?? "",
      startedAt: time(raw.State.StartedAt),
      finishedAt: time(raw.State.FinishedAt),
    },
    health: health
      ? {
          status: health.Status,
          failingStreak: health.FailingStreak ?? 0,
          log: (health.Log ?? []).map((run) => ({ start: isoTimestamp(run.Start), end: isoTimestamp(run.End), exitCode: run.ExitCode, output: run.Output })),
        }
      : null,
    restartCount: raw.RestartCount ?? 0,
    restartPolicy: { name: host.RestartPolicy?.Name || "no", maximumRetryCount: host.RestartPolicy?.MaximumRetryCount ?? 0 },
    ports: Object.entries(raw.NetworkSettings?.Ports ?? {}).flatMap(([containerPort, bindings]) =>
      bindings && bindings.length > 0
        ? bindings.map((binding) => ({ containerPort, hostIp: binding.HostIp || null, hostPort: binding.HostPort || null }))
        : [{ containerPort, hostIp: null, hostPort: null }],
    ),
    mounts: (raw.Mounts ?? []).map((mount) => ({
      type: mount.Type ?? "",
      name: mount.Name ?? null,
      source: mount.Source ?? "",
      destination: mount.Destination,
      mode: mount.Mode ?? "",
      readWrite: mount.RW ?? true,
    })),
    networks: Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
      name,
      ipAddress: network.IPAddress ?? "",
      gateway: network.Gateway ?? "",
      macAddress: network.MacAddress ?? "",
      aliases: network.Aliases ?? [],
    })),
    limits: {
      memoryBytes: host.Memory ?? 0,
      memoryReservationBytes: host.MemoryReservation ?? 0,
      memorySwapBytes: host.MemorySwap ?? 0,
      nanoCpus: host.NanoCpus ?? 0,
      cpuShares: host.CpuShares ?? 0,
      cpuQuota: host.CpuQuota ?? 0,
      cpuPeriod: host.CpuPeriod ?? 0,
      cpusetCpus: host.CpusetCpus ?? "",
      cpusetMems: host.CpusetMems ?? "",
      cpuRealtimeRuntime: host.CpuRealtimeRuntime ?? 0,
      cpuRealtimePeriod: host.CpuRealtimePeriod ?? 0,
      pidsLimit: host.PidsLimit && host.PidsLimit > 0 ? host.PidsLimit : null,
      ulimits: (host.Ulimits ?? []).map((limit) => ({ name: limit.Name, soft: limit.Soft, hard: limit.Hard })),
      capAdd: (host.CapAdd ?? []).map(capabilityName),
      capDrop: (host.CapDrop ?? []).map(capabilityName),
      privileged: host.Privileged ?? false,
      devices: (host.Devices ?? []).map((device) => ({ pathOnHost: device.PathOnHost, pathInContainer: device.PathInContainer, permissions: device.CgroupPermissions ?? "" })),
      deviceRequests: (host.DeviceRequests ?? []).map((request) => ({
        driver: request.Driver ?? "",
        count: request.Count ?? 0,
        deviceIds: request.DeviceIDs ?? [],
        capabilities: request.Capabilities ?? [],
      })),
    },
    labels: raw.Config.Labels ?? {},
    env: (raw.Config.Env ?? []).map((entry) => {
      const equals = entry.indexOf("=");
      return equals === -1 ? { name: entry, value: "" } : { name: entry.slice(0, equals), value: entry.slice(equals + 1) };
    }),
  };
}

/** Docker stores CAP_NET_ADMIN or NET_ADMIN as given; shown the way compose files write them. */
function capabilityName(name: string): string {
  return name.replace(/^CAP_/i, "").toUpperCase();
}
