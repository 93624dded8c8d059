import type { ContainerSummary } from "@wharf/agent-protocol";
import { z } from "zod";

import { isoFromUnixSeconds, parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

export const dockerContainer = z.object({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  Image: z.string(),
  ImageID: z.string(),
  Command: z.string().nullish(),
  State: z.string(),
  Status: z.string(),
  Created: z.number(),
  Ports: z
    .array(
      z.object({
        PrivatePort: z.number(),
        PublicPort: z.number().nullish(),
        IP: z.string().nullish(),
        Type: z.string(),
      }),
    )
    .nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
});
export type DockerContainer = z.infer<typeof dockerContainer>;

export const listContainers: CallHandler<"listContainers"> = async (params, ctx) => {
  const raw = await ctx.docker.listContainers({ all: params.all, abortSignal: ctx.signal });
  return parseDockerResponse(z.array(dockerContainer), raw, "container list").map(toContainerSummary);
};

export function toContainerSummary(container: DockerContainer): ContainerSummary {
  const labels = container.Labels ?? {};
  const names = container.Names ?? [];
  // Legacy links add names like /other/alias; the container's own name has a single slash.
  const name = names.find((entry) => entry.lastIndexOf("/") === 0) ?? names[0] ?? container.Id.slice(0, 12);
  return {
    id: container.Id,
    name: name.replace(/^\//, ""),
    image: container.Image,
    imageId: container.ImageID,
    command: container.Command ?? "",
    state: container.State,
    status: container.Status,
    createdAt: isoFromUnixSeconds(container.Created),
    ports: (container.Ports ?? []).map((port) => ({
      privatePort: port.PrivatePort,
      publicPort: port.PublicPort ?? null,
      ip: port.IP ?? null,
      type: port.Type,
    })),
    labels,
    composeProject: labels["com.docker.compose.project"] ?? null,
    composeService: labels["com.docker.compose.service"] ?? null,
  };
}
