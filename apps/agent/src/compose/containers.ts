import type { ComposeContainer, ComposeProjectRef, ComposeServiceImage, ContainerStatsEntry } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { type DockerContainer, dockerContainer, toContainerSummary } from "../handlers/list-containers";
import { ownedBy } from "./ownership";

const PROJECT_LABEL = "com.docker.compose.project";
const SERVICE_LABEL = "com.docker.compose.service";
const ONEOFF_LABEL = "com.docker.compose.oneoff";
/** Docker's "never" for StartedAt/FinishedAt is 0001-01-01T00:00:00Z. */
const NEVER = "0001-01-01";

const inspectedContainer = z.object({
  Id: z.string(),
  Created: z.string(),
  RestartCount: z.number().nullish(),
  Image: z.string(),
  Config: z.object({ Image: z.string() }),
  State: z.object({
    Status: z.string(),
    ExitCode: z.number().nullish(),
    StartedAt: z.string().nullish(),
    FinishedAt: z.string().nullish(),
    Health: z.object({ Status: z.string() }).nullish(),
  }),
});
export type InspectedContainer = z.infer<typeof inspectedContainer>;

const inspectedImage = z.object({ RepoDigests: z.array(z.string()).nullish() });

export interface ProjectContainer {
  listed: DockerContainer;
  service: string;
}

/**
 * The project's containers by compose's labels (v1 and v2 set the same ones), without one-off `run` containers
 * and without containers of another owner.
 */
export async function projectContainers(docker: Docker, project: ComposeProjectRef, signal: AbortSignal, running = false): Promise<ProjectContainer[]> {
  const raw = await docker.listContainers({ all: !running, filters: { label: [`${PROJECT_LABEL}=${project.name}`] }, abortSignal: signal });
  return parseDockerResponse(z.array(dockerContainer), raw, "container list")
    .filter((container) => container.Labels?.[ONEOFF_LABEL] !== "True" && ownedBy(container.Labels, project.owner))
    .map((listed) => ({ listed, service: listed.Labels?.[SERVICE_LABEL] ?? "" }));
}

export async function inspectContainer(docker: Docker, id: string, signal: AbortSignal): Promise<InspectedContainer> {
  return parseDockerResponse(inspectedContainer, await docker.getContainer(id).inspect({ abortSignal: signal }), "container");
}

/** RepoDigests per image id, each image inspected once. */
export async function repoDigests(docker: Docker, imageIds: string[]): Promise<Map<string, string[]>> {
  const unique = [...new Set(imageIds)];
  const digests = await Promise.all(
    unique.map(async (id) => {
      try {
        return parseDockerResponse(inspectedImage, await docker.getImage(id).inspect(), "image").RepoDigests ?? [];
      } catch {
        // Removed since the container was created: nothing to report.
        return [];
      }
    }),
  );
  return new Map(unique.map((id, i) => [id, digests[i] ?? []]));
}

export function toComposeContainer(container: ProjectContainer, inspected: InspectedContainer, digests: string[]): ComposeContainer {
  const summary = toContainerSummary(container.listed);
  const state = inspected.State;
  const finished = typeof state.FinishedAt === "string" && !state.FinishedAt.startsWith(NEVER);
  const started = typeof state.StartedAt === "string" && !state.StartedAt.startsWith(NEVER);
  return {
    id: inspected.Id,
    name: summary.name,
    service: container.service,
    state: state.Status,
    status: summary.status,
    health: state.Health?.Status ?? null,
    exitCode: state.Status === "running" || !finished ? null : (state.ExitCode ?? null),
    restartCount: inspected.RestartCount ?? 0,
    ports: summary.ports,
    image: inspected.Config.Image,
    imageId: inspected.Image,
    imageDigest: pickDigest(inspected.Config.Image, digests),
    createdAt: new Date(inspected.Created).toISOString(),
    startedAt: started && state.StartedAt ? new Date(state.StartedAt).toISOString() : null,
  };
}

/** The RepoDigest of the repository the service named ("nginx:1.25" → "nginx@sha256:..."), else the first. */
export function pickDigest(reference: string, digests: string[]): string | null {
  const repository = reference.replace(/@sha256:[0-9a-f]+$/, "").replace(/:[^/:]+$/, "");
  return digests.find((digest) => digest.startsWith(`${repository}@`)) ?? digests[0] ?? null;
}

/** composeImageDigests: one entry per service and image, from what the containers were created with. */
export function serviceImages(
  containers: { service: string; name: string; inspected: InspectedContainer }[],
  digests: Map<string, string[]>,
): ComposeServiceImage[] {
  const byKey = new Map<string, ComposeServiceImage>();
  for (const { service, name, inspected } of containers) {
    const key = `${service}\0${inspected.Image}`;
    const entry = byKey.get(key);
    if (entry !== undefined) {
      entry.containers.push(name);
      continue;
    }
    byKey.set(key, {
      service,
      image: inspected.Config.Image,
      imageId: inspected.Image,
      repoDigests: digests.get(inspected.Image) ?? [],
      containers: [name],
    });
  }
  return [...byKey.values()].sort((a, b) => a.service.localeCompare(b.service) || a.imageId.localeCompare(b.imageId));
}

const cpuStats = z.object({
  cpu_usage: z.object({ total_usage: z.number(), percpu_usage: z.array(z.number()).nullish() }),
  system_cpu_usage: z.number().nullish(),
  online_cpus: z.number().nullish(),
});
const rawStats = z.object({
  read: z.string(),
  cpu_stats: cpuStats,
  precpu_stats: cpuStats.partial().nullish(),
  memory_stats: z.object({
    usage: z.number().nullish(),
    limit: z.number().nullish(),
    stats: z.record(z.string(), z.number()).nullish(),
  }),
});

/** One `stats?stream=false` answer as `docker stats` computes it. */
export function toStatsEntry(container: { id: string; name: string; service: string }, raw: unknown): ContainerStatsEntry {
  const stats = parseDockerResponse(rawStats, raw, "container stats");
  const cpu = stats.cpu_stats;
  const previous = stats.precpu_stats;
  const cpuDelta = cpu.cpu_usage.total_usage - (previous?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (previous?.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus ?? cpu.cpu_usage.percpu_usage?.length ?? 1;
  const memory = stats.memory_stats;
  // Page cache the kernel can reclaim is not counted, as `docker stats` does (cgroup v1 and v2 names).
  const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  const usage = memory.usage ?? 0;
  return {
    ...container,
    cpuPercent: systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
    memoryUsageBytes: inactive < usage ? usage - inactive : usage,
    memoryLimitBytes: memory.limit ?? 0,
    at: new Date(stats.read).toISOString(),
  };
}
