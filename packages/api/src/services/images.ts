import { type AgentStreamParams, imageRef, pruneImagesParams, pullImageParams,type PullProgress } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { callAgent, openAgentStream } from "./hosts";

export const imageInput = z.object({ image: imageRef });
export const pruneImagesInput = z.object({ scope: pruneImagesParams.shape.scope, dryRun: z.boolean().default(true), label: pruneImagesParams.shape.label });
export const pullImageInput = z.object({ reference: pullImageParams.shape.reference });

// Reading every image's layers walks the host's whole image store: give big hosts time.
const IMAGE_STORE_TIMEOUT_MS = 120_000;

async function audit(deps: WharfDeps, host: Host, actor: Actor, action: string, target: string, summary: string, data?: Record<string, string | number | string[]>) {
  await recordAudit(deps.db, { teamId: host.teamId, actor, action: `image.${action}`, targetType: "image", targetId: target, summary, ...(data ? { data } : {}) });
}

/** One image's layers and history, with the layers other images on the host share. */
export async function inspectImage(deps: WharfDeps, host: Host, image: string) {
  return callAgent(deps, host, "inspectImage", { image }, { timeoutMs: IMAGE_STORE_TIMEOUT_MS });
}

/** Refused (CONFLICT, naming the containers) while a container uses the image it would delete. */
export async function removeImage(deps: WharfDeps, host: Host, actor: Actor, image: string) {
  const removed = await callAgent(deps, host, "removeImage", { image });
  await audit(deps, host, actor, "remove", image, `Removed image ${image} on ${host.name}`, { untagged: removed.untagged, deleted: removed.deleted });
  return removed;
}

/** With dryRun, what would go and how much space would come back; else removes them. */
export async function pruneImages(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof pruneImagesInput>) {
  const result = await callAgent(deps, host, "pruneImages", { scope: input.scope, dryRun: input.dryRun, ...(input.label ? { label: input.label } : {}) }, { timeoutMs: 300_000 });
  if (!input.dryRun) {
    const what = input.scope === "dangling" ? "dangling" : "unused";
    await audit(deps, host, actor, "prune", host.id, `Pruned ${result.images.length} ${what} image${result.images.length === 1 ? "" : "s"} on ${host.name}`, {
      images: result.images.map((image) => image.id),
      spaceReclaimedBytes: result.spaceReclaimedBytes,
    });
  }
  return result;
}

/**
 * Docker's pull progress, live; audited once the image is there. `auth` carries
 * registry credentials a caller resolved for this one pull (sent to the agent, never stored on the host).
 */
export async function* pullImage(
  deps: WharfDeps,
  host: Host,
  actor: Actor,
  input: z.infer<typeof pullImageInput>,
  options: { signal?: AbortSignal; auth?: AgentStreamParams<"pullImage">["auth"] } = {},
): AsyncGenerator<PullProgress, void, undefined> {
  const params = { reference: input.reference, ...(options.auth ? { auth: options.auth } : {}) };
  const frames = await openAgentStream(deps, host, "pullImage", params, options.signal ? { signal: options.signal } : {});
  for await (const frame of frames) {
    if (frame.kind === "done") await audit(deps, host, actor, "pull", input.reference, `Pulled image ${input.reference} on ${host.name}`, { id: frame.id, ...(frame.digest ? { digest: frame.digest } : {}) });
    yield frame;
  }
}
