import { type ComposeServiceImage, composeServiceImage, type ComposeServiceStatus, type ContainerStatsEntry } from "@wharf/agent-protocol";
import { parse } from "yaml";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { deployedState } from "./deployed-state";
import { callAgent } from "./hosts";
import { projectOwner } from "./project-owner";
import { targetOf } from "./stacks";

export const stackStatusInput = z.object({ stackId: z.string().min(1), hostId: z.string().min(1) });

/** What the deployed revision asked for, per service: read back from the merged config that ran. */
export interface DeployedService {
  name: string;
  replicas: number;
}

const mergedConfig = z.object({
  services: z
    .record(
      z.string(),
      z
        .object({
          scale: z.number().int().nonnegative().nullish().catch(null),
          deploy: z.object({ replicas: z.number().int().nonnegative().nullish().catch(null) }).nullish().catch(null),
        })
        .nullish()
        .catch(null),
    )
    .nullish()
    .catch(null),
});

export function deployedServices(renderedCompose: string): DeployedService[] {
  let document: unknown;
  try {
    document = parse(renderedCompose);
  } catch {
    return [];
  }
  const parsed = mergedConfig.safeParse(document ?? {});
  if (!parsed.success) return [];
  return Object.entries(parsed.data.services ?? {})
    .map(([name, service]) => ({ name, replicas: service?.deploy?.replicas ?? service?.scale ?? 1 }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface Drift {
  /** Services of the deployed revision with fewer containers than it asked for (e.g. removed by hand). */
  missing: { service: string; expected: number; found: number }[];
  /** Containers of the project whose service the deployed revision does not have. */
  extra: { service: string; container: string }[];
  /** Containers of the deployed services that are not running. */
  notRunning: { service: string; container: string; state: string }[];
  /** Containers created from another image than the one recorded at deploy time. */
  imageChanged: { service: string; container: string; deployedImageId: string; runningImageId: string }[];
  inSync: boolean;
}

/** Compares what the deployed revision described with what runs; null without a recorded deploy. */
export function computeDrift(deployed: DeployedService[], images: ComposeServiceImage[], running: ComposeServiceStatus[]): Drift {
  const byService = new Map(running.map((s) => [s.service, s.containers]));
  const names = new Set(deployed.map((s) => s.name));
  const missing = deployed.flatMap((service) => {
    const found = byService.get(service.name)?.length ?? 0;
    return found < service.replicas ? [{ service: service.name, expected: service.replicas, found }] : [];
  });
  const extra = running.filter((s) => !names.has(s.service)).flatMap((s) => s.containers.map((c) => ({ service: s.service, container: c.name })));
  const notRunning = running
    .filter((s) => names.has(s.service))
    .flatMap((s) => s.containers.filter((c) => c.state !== "running").map((c) => ({ service: s.service, container: c.name, state: c.state })));
  const imageChanged = running.flatMap((s) => {
    const recorded = images.filter((image) => image.service === s.service).map((image) => image.imageId);
    if (recorded.length === 0) return [];
    return s.containers
      .filter((c) => !recorded.includes(c.imageId))
      .map((c) => ({ service: s.service, container: c.name, deployedImageId: recorded[0] ?? "", runningImageId: c.imageId }));
  });
  return { missing, extra, notRunning, imageChanged, inSync: missing.length + extra.length + notRunning.length + imageChanged.length === 0 };
}

/**
 * Per service on one host: its containers (state, health, restarts, ports),
 * a live CPU and memory sample, and how that differs from the deployed revision.
 */
export async function stackStatus(deps: WharfDeps, teamId: string, input: z.infer<typeof stackStatusInput>) {
  const { stack, host } = await targetOf(deps, teamId, input.stackId, input.hostId);
  const deployed = await deployedState(deps.db, stack.id, host.id);
  const owner = await projectOwner(deps, stack.id, host.id);
  const ps = await callAgent(deps, host, "composePs", { name: stack.name, owner });
  const anyRunning = ps.services.some((s) => s.containers.some((c) => c.state === "running"));
  const stats: ContainerStatsEntry[] = anyRunning ? (await callAgent(deps, host, "containerStats", { name: stack.name, owner })).containers : [];
  const expected = deployed?.renderedCompose ? deployedServices(deployed.renderedCompose) : [];
  const images = z.array(composeServiceImage).catch([]).parse(deployed?.imageDigests ?? []);
  const services = [...new Set([...expected.map((s) => s.name), ...ps.services.map((s) => s.service)])].sort().map((service) => ({
    service,
    inDeployedRevision: expected.some((s) => s.name === service),
    containers: (ps.services.find((s) => s.service === service)?.containers ?? []).map((container) => {
      const sample = stats.find((entry) => entry.id === container.id);
      return {
        ...container,
        cpuPercent: sample?.cpuPercent ?? null,
        memoryUsageBytes: sample?.memoryUsageBytes ?? null,
        memoryLimitBytes: sample?.memoryLimitBytes ?? null,
      };
    }),
  }));
  return {
    stack: { id: stack.id, name: stack.name },
    host: { id: host.id, name: host.name },
    deployed: deployed ? { deploymentId: deployed.id, revisionNumber: deployed.revision.number, at: deployed.finishedAt } : null,
    services,
    drift: deployed ? computeDrift(expected, images, ps.services) : null,
  };
}
