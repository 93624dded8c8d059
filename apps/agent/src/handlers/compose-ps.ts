import type { ComposeServiceStatus } from "@wharf/agent-protocol";

import { inspectContainer, projectContainers, repoDigests, toComposeContainer } from "../compose/containers";
import type { CallHandler } from "./context";

export const composePs: CallHandler<"composePs"> = async (params, ctx) => {
  const containers = await projectContainers(ctx.docker, params, ctx.signal);
  const inspected = await Promise.all(containers.map((container) => inspectContainer(ctx.docker, container.listed.Id, ctx.signal)));
  const digests = await repoDigests(ctx.docker, inspected.map((container) => container.Image));
  const byService = new Map<string, ComposeServiceStatus>();
  containers.forEach((container, i) => {
    const details = inspected[i];
    if (details === undefined) return;
    const entry = byService.get(container.service) ?? { service: container.service, containers: [] };
    entry.containers.push(toComposeContainer(container, details, digests.get(details.Image) ?? []));
    byService.set(container.service, entry);
  });
  const services = [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
  for (const service of services) service.containers.sort((a, b) => a.name.localeCompare(b.name));
  return { services };
};
