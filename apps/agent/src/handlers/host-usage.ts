import { readFile, statfs } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

/** How long CPU time is sampled for the busy percentage. */
const CPU_WINDOW_MS = 500;

const info = z.object({ DockerRootDir: z.string() });
const sized = z.object({ Size: z.number().nullish() });
const diskUsage = z.object({
  LayersSize: z.number().nullish(),
  Containers: z.array(z.object({ SizeRw: z.number().nullish() })).nullish(),
  Volumes: z.array(z.object({ UsageData: sized.nullish() })).nullish(),
  BuildCache: z.array(sized).nullish(),
});

/** Busy and total jiffies over all cores, from the first line of /proc/stat. */
function cpuTimes(stat: string): { busy: number; total: number } {
  const fields = (stat.split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  // idle + iowait are the idle columns.
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

export function cpuBusyPercent(before: string, after: string): number {
  const a = cpuTimes(before);
  const b = cpuTimes(after);
  const total = b.total - a.total;
  return total > 0 ? Math.min(100, Math.max(0, ((b.busy - a.busy) / total) * 100)) : 0;
}

/** MemTotal and MemAvailable (what can be used without swapping), in bytes. */
export function memoryFromMeminfo(meminfo: string): { totalBytes: number; availableBytes: number } {
  const kib = (key: string): number | null => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo);
    return match ? Number(match[1]) * 1024 : null;
  };
  const totalBytes = kib("MemTotal") ?? os.totalmem();
  return { totalBytes, availableBytes: kib("MemAvailable") ?? os.freemem() };
}

const positive = (value: number | null | undefined): number => (value && value > 0 ? value : 0);

export const hostUsage: CallHandler<"hostUsage"> = async (_params, ctx) => {
  const before = await readFile("/proc/stat", "utf8");
  const [{ DockerRootDir }, df] = await Promise.all([
    ctx.docker.info().then((value: unknown) => parseDockerResponse(info, value, "info")),
    ctx.docker.df().then((value: unknown) => parseDockerResponse(diskUsage, value, "disk usage")),
    sleep(CPU_WINDOW_MS),
  ]);
  const after = await readFile("/proc/stat", "utf8");
  const memory = memoryFromMeminfo(await readFile("/proc/meminfo", "utf8"));
  // The data directory is usually root's alone: statfs needs only to reach it, not to read it.
  const disk = await statfs(DockerRootDir, { bigint: false })
    .then((stats) => ({ path: DockerRootDir, totalBytes: stats.blocks * stats.bsize, availableBytes: stats.bavail * stats.bsize, usedBytes: (stats.blocks - stats.bfree) * stats.bsize }))
    .catch((error: unknown) => {
      ctx.log.warn("cannot measure the Docker data directory's filesystem", { path: DockerRootDir, error: String(error) });
      return null;
    });
  const docker = {
    imagesBytes: positive(df.LayersSize),
    containersBytes: (df.Containers ?? []).reduce((sum, container) => sum + positive(container.SizeRw), 0),
    // -1 means Docker did not measure that volume.
    volumesBytes: (df.Volumes ?? []).reduce((sum, volume) => sum + positive(volume.UsageData?.Size), 0),
    buildCacheBytes: (df.BuildCache ?? []).reduce((sum, entry) => sum + positive(entry.Size), 0),
  };
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return {
    at: Date.now(),
    cpu: { cores: os.cpus().length, usedPercent: cpuBusyPercent(before, after), loadAverage: [one, five, fifteen] },
    memory: { ...memory, usedBytes: memory.totalBytes - memory.availableBytes },
    disk,
    docker: { rootDir: DockerRootDir, ...docker, totalBytes: docker.imagesBytes + docker.containersBytes + docker.volumesBytes + docker.buildCacheBytes },
  };
};
