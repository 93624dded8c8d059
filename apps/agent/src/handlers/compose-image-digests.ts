import type { ComposeProjectRef, ComposeServiceImage } from "@wharf/agent-protocol";
import type Docker from "dockerode";

import { inspectContainer, projectContainers, repoDigests, serviceImages } from "../compose/containers";
import type { CallHandler } from "./context";
import { toContainerSummary } from "./list-containers";

/** The images the project's containers run, one entry per service and image. */
export async function projectImages(docker: Docker, project: ComposeProjectRef, signal: AbortSignal): Promise<ComposeServiceImage[]> {
  const listed = await projectContainers(docker, project, signal);
  // The list already names each image: its digests are read alongside the containers' details.
  const [containers, digests] = await Promise.all([
    Promise.all(
      listed.map(async (container) => ({
        service: container.service,
        name: toContainerSummary(container.listed).name,
        inspected: await inspectContainer(docker, container.listed.Id, signal),
      })),
    ),
    repoDigests(docker, listed.map((container) => container.listed.ImageID)),
  ]);
  return serviceImages(containers, digests);
}

export const composeImageDigests: CallHandler<"composeImageDigests"> = async (params, ctx) => ({ images: await projectImages(ctx.docker, params, ctx.signal) });
