import type { VolumeSummary } from "@wharf/agent-protocol";
import { z } from "zod";

import { isoTimestamp, parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

const dockerVolume = z.object({
  Name: z.string(),
  Driver: z.string(),
  Mountpoint: z.string(),
  Scope: z.string(),
  CreatedAt: z.string().nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
});
export type DockerVolume = z.infer<typeof dockerVolume>;

const dockerVolumeList = z.object({ Volumes: z.array(dockerVolume).nullish() });

export const listVolumes: CallHandler<"listVolumes"> = async (_params, ctx) => {
  const raw = await ctx.docker.listVolumes({ abortSignal: ctx.signal });
  return (parseDockerResponse(dockerVolumeList, raw, "volume list").Volumes ?? []).map(toVolumeSummary);
};

export function toVolumeSummary(volume: DockerVolume): VolumeSummary {
  return {
    name: volume.Name,
    driver: volume.Driver,
    mountpoint: volume.Mountpoint,
    scope: volume.Scope,
    createdAt: volume.CreatedAt ? isoTimestamp(volume.CreatedAt) : null,
    labels: volume.Labels ?? {},
  };
}
