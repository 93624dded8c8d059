import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { AgentFailure } from "../failure";
import type { CallHandler } from "./context";

const mounting = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullish(),
    Mounts: z.array(z.object({ Type: z.string().nullish(), Name: z.string().nullish() })).nullish(),
  }),
);
const diskUsage = z.object({
  Volumes: z.array(z.object({ Name: z.string(), Labels: z.record(z.string(), z.string()).nullish(), UsageData: z.object({ Size: z.number() }).nullish() })).nullish(),
});

/** Container names per volume name, running containers or not. */
async function volumeUsers(docker: Docker, signal: AbortSignal): Promise<Map<string, { id: string; name: string }[]>> {
  const containers = parseDockerResponse(mounting, await docker.listContainers({ all: true, abortSignal: signal }), "container list");
  const users = new Map<string, { id: string; name: string }[]>();
  for (const container of containers) {
    const name = (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, "");
    for (const mount of container.Mounts ?? []) {
      if (mount.Type !== "volume" || !mount.Name) continue;
      const list = users.get(mount.Name) ?? [];
      list.push({ id: container.Id, name });
      users.set(mount.Name, list);
    }
  }
  return users;
}

/** Sizes from `docker system df` (Docker measures local volumes only; -1 means not measured), of the volumes carrying `label` when given. */
async function volumeSizes(docker: Docker, label?: string): Promise<Map<string, number | null>> {
  const usage = parseDockerResponse(diskUsage, await docker.df(), "disk usage");
  const [key = "", value] = label?.split(/=(.*)/s) ?? [];
  const wanted = (labels: Record<string, string> | null | undefined): boolean => !label || (labels?.[key] !== undefined && (value === undefined || labels[key] === value));
  return new Map((usage.Volumes ?? []).filter((volume) => wanted(volume.Labels)).map((volume) => [volume.Name, volume.UsageData && volume.UsageData.Size >= 0 ? volume.UsageData.Size : null]));
}

export const volumeUsage: CallHandler<"volumeUsage"> = async (_params, ctx) => {
  const [users, sizes] = await Promise.all([volumeUsers(ctx.docker, ctx.signal), volumeSizes(ctx.docker)]);
  return [...sizes.entries()].map(([name, sizeBytes]) => ({ name, sizeBytes, containers: users.get(name) ?? [] }));
};

export const createVolume: CallHandler<"createVolume"> = async (params, ctx) => {
  const existing = await ctx.docker
    .getVolume(params.name)
    .inspect({ abortSignal: ctx.signal })
    .then(() => true)
    .catch(() => false);
  // Docker answers a taken name with the existing volume: say so instead.
  if (existing) throw new AgentFailure("CONFLICT", `a volume named ${params.name} already exists`);
  // dockerode answers with a handle, not Docker's JSON: the volume is read back.
  await ctx.docker.createVolume({ Name: params.name, Driver: params.driver, DriverOpts: params.driverOptions, Labels: params.labels, abortSignal: ctx.signal });
  const created = parseDockerResponse(z.object({ Name: z.string(), Driver: z.string() }), await ctx.docker.getVolume(params.name).inspect({ abortSignal: ctx.signal }), "volume");
  ctx.log.info("volume created", { volume: created.Name });
  return { name: created.Name, driver: created.Driver };
};

export const removeVolume: CallHandler<"removeVolume"> = async (params, ctx) => {
  const users = (await volumeUsers(ctx.docker, ctx.signal)).get(params.name) ?? [];
  if (users.length > 0) {
    throw new AgentFailure("CONFLICT", `volume ${params.name} is in use by ${users.map((user) => user.name).join(", ")}: remove ${users.length === 1 ? "that container" : "those containers"} first`);
  }
  await ctx.docker.getVolume(params.name).remove({ abortSignal: ctx.signal });
  ctx.log.info("volume removed", { volume: params.name });
  return { name: params.name };
};

export const pruneVolumes: CallHandler<"pruneVolumes"> = async (params, ctx) => {
  const [users, sizes] = await Promise.all([volumeUsers(ctx.docker, ctx.signal), volumeSizes(ctx.docker, params.label)]);
  const unused = [...sizes.entries()].filter(([name]) => !users.has(name)).map(([name, sizeBytes]) => ({ name, sizeBytes }));
  if (params.dryRun) return { volumes: unused, spaceReclaimedBytes: unused.reduce((sum, volume) => sum + (volume.sizeBytes ?? 0), 0) };
  // API 1.42+ (Docker 23+) prunes only anonymous volumes unless asked for all; older engines refuse that filter.
  const { ApiVersion } = parseDockerResponse(z.object({ ApiVersion: z.string() }), await ctx.docker.version(), "version");
  const [major = 0, minor = 0] = ApiVersion.split(".").map(Number);
  const filters: Record<string, string[]> = major > 1 || (major === 1 && minor >= 42) ? { all: ["true"] } : {};
  if (params.label) filters.label = [params.label];
  const pruned = parseDockerResponse(
    z.object({ VolumesDeleted: z.array(z.string()).nullish(), SpaceReclaimed: z.number().nullish() }),
    await ctx.docker.pruneVolumes({ filters, abortSignal: ctx.signal }),
    "prune result",
  );
  const deleted = pruned.VolumesDeleted ?? [];
  ctx.log.info("volumes pruned", { count: deleted.length });
  return { volumes: deleted.map((name) => ({ name, sizeBytes: sizes.get(name) ?? null })), spaceReclaimedBytes: pruned.SpaceReclaimed ?? 0 };
};
