import type { ContainerActionName } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import type { CallHandler } from "./context";

const inspected = z.object({
  Id: z.string(),
  Name: z.string(),
  State: z.object({ Status: z.string() }),
  Mounts: z.array(z.object({ Type: z.string().nullish(), Name: z.string().nullish() })).nullish(),
});

async function inspectState(container: Docker.Container, signal: AbortSignal) {
  const raw = parseDockerResponse(inspected, await container.inspect({ abortSignal: signal }), "container");
  return { id: raw.Id, name: raw.Name.replace(/^\//, ""), state: raw.State.Status, mounts: raw.Mounts ?? [] };
}

/** Docker answers 304 to start a running container or stop a stopped one: the state asked for already holds. */
function isNotModified(error: unknown): boolean {
  return typeof error === "object" && error !== null && "statusCode" in error && error.statusCode === 304;
}

async function run(container: Docker.Container, action: ContainerActionName, params: { timeoutSeconds?: number | undefined; signal?: string | undefined }, abortSignal: AbortSignal): Promise<void> {
  const timeout = params.timeoutSeconds === undefined ? {} : { t: params.timeoutSeconds };
  // dockerode types these answers as any: nothing in them is read.
  switch (action) {
    case "start":
      await container.start({ abortSignal });
      return;
    case "stop":
      await container.stop({ ...timeout, abortSignal });
      return;
    case "restart":
      await container.restart({ ...timeout, abortSignal });
      return;
    case "kill":
      await container.kill({ signal: params.signal ?? "SIGKILL", abortSignal });
      return;
    case "pause":
      await container.pause({ abortSignal });
      return;
    case "unpause":
      await container.unpause({ abortSignal });
      return;
  }
}

export const containerAction: CallHandler<"containerAction"> = async (params, ctx) => {
  const container = ctx.docker.getContainer(params.id);
  try {
    await run(container, params.action, params, ctx.signal);
  } catch (error) {
    if (!isNotModified(error)) throw error;
  }
  const { id, name, state } = await inspectState(container, ctx.signal);
  ctx.log.info("container action", { action: params.action, container: name });
  return { id, name, state };
};

export const removeContainer: CallHandler<"removeContainer"> = async (params, ctx) => {
  const container = ctx.docker.getContainer(params.id);
  const before = await inspectState(container, ctx.signal);
  const volumes = before.mounts.filter((mount) => mount.Type === "volume" && mount.Name).map((mount) => mount.Name ?? "");
  await container.remove({ force: params.force, v: params.volumes, abortSignal: ctx.signal });
  // Docker removes only anonymous volumes and says nothing of which: the ones that are gone now are those.
  const removedVolumes: string[] = [];
  if (params.volumes) {
    for (const volume of volumes) {
      try {
        await ctx.docker.getVolume(volume).inspect({ abortSignal: ctx.signal });
      } catch {
        removedVolumes.push(volume);
      }
    }
  }
  ctx.log.info("container removed", { container: before.name, removedVolumes: removedVolumes.length });
  return { id: before.id, name: before.name, removedVolumes };
};
