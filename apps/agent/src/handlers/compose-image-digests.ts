import { inspectContainer, projectContainers, repoDigests, serviceImages } from "../compose/containers";
import type { CallHandler } from "./context";
import { toContainerSummary } from "./list-containers";

export const composeImageDigests: CallHandler<"composeImageDigests"> = async (params, ctx) => {
  const containers = await Promise.all(
    (await projectContainers(ctx.docker, params, ctx.signal)).map(async (container) => ({
      service: container.service,
      name: toContainerSummary(container.listed).name,
      inspected: await inspectContainer(ctx.docker, container.listed.Id, ctx.signal),
    })),
  );
  const digests = await repoDigests(ctx.docker, containers.map((container) => container.inspected.Image));
  return { images: serviceImages(containers, digests) };
};
