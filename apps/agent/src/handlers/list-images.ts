import type { ImageSummary } from "@wharf/agent-protocol";
import { z } from "zod";

import { isoFromUnixSeconds, parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

const dockerImage = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
  Size: z.number(),
  Created: z.number(),
  ParentId: z.string().nullish(),
});
export type DockerImage = z.infer<typeof dockerImage>;

const containerImage = z.object({ Id: z.string(), ImageID: z.string(), Names: z.array(z.string()).nullish() });

export const listImages: CallHandler<"listImages"> = async (_params, ctx) => {
  // Docker reports Containers as -1 unless asked for expensive shared sizes,
  // so the usage count comes from the container list instead. All images,
  // intermediate layers too: `docker info` counts them, and so do the host's facts.
  const [images, containers] = await Promise.all([
    ctx.docker.listImages({ all: true, abortSignal: ctx.signal }),
    ctx.docker.listContainers({ all: true, abortSignal: ctx.signal }),
  ]);
  const usage = new Map<string, string[]>();
  for (const container of parseDockerResponse(z.array(containerImage), containers, "container list")) {
    const name = (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, "");
    usage.set(container.ImageID, [...(usage.get(container.ImageID) ?? []), name]);
  }
  const parsed = parseDockerResponse(z.array(dockerImage), images, "image list");
  const parents = new Set(parsed.map((image) => image.ParentId).filter(Boolean));
  return parsed.map((image) => toImageSummary(image, usage.get(image.Id) ?? [], parents.has(image.Id)));
};

export function toImageSummary(image: DockerImage, containers: string[], isParent = false): ImageSummary {
  const repoTags = (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>");
  return {
    id: image.Id,
    // Untagged images carry these placeholders instead of empty lists.
    repoTags,
    repoDigests: (image.RepoDigests ?? []).filter((digest) => digest !== "<none>@<none>"),
    sizeBytes: image.Size,
    createdAt: isoFromUnixSeconds(image.Created),
    containers: containers.length,
    containerNames: containers,
    untagged: repoTags.length > 0 ? null : isParent ? "intermediate" : "dangling",
  };
}
