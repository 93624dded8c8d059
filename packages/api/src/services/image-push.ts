import { type ImagePushData, imageTag, localImage } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { REPOSITORY_PATH } from "../lib/push-plan";
import { type Actor, recordAudit } from "./audit";
import { createEcrRepository, ecrRepositoryExists } from "./ecr";
import { openAgentStream } from "./hosts";
import { ecrSettings, loadRegistry, registryAuth } from "./registries";

const repositoryPath = z.string().trim().max(200).regex(REPOSITORY_PATH, "A repository is lower-case name parts separated by / (e.g. team/web).");

export const pushImageInput = z.object({
  image: localImage,
  registryId: z.string().min(1),
  /** The repository inside the registry, without its address. */
  repository: repositoryPath,
  tag: imageTag,
  /** ECR: create the repository when it does not exist yet (the caller was offered it). */
  createRepository: z.boolean().default(false),
});
export type PushImageInput = z.input<typeof pushImageInput>;

export type PushEvent = Extract<ImagePushData, { kind: "layer" }> | { kind: "repositoryCreated"; repository: string } | { kind: "pushed"; reference: string; digest: string; sizeBytes: number };

/** An engine's push failure, said as what is wrong with which registry and what to do. */
export function explainPushFailure(registry: string, reference: string, message: string): WharfError {
  const says = (pattern: RegExp) => pattern.test(message);
  if (says(/unauthorized|authentication required|no basic auth credentials|incorrect username or password/i)) {
    return new WharfError("PRECONDITION_FAILED", `The registry ${registry} refused the credentials (${message}): check them on the Registries page and test the connection.`, "REGISTRY_UNAUTHORIZED");
  }
  if (says(/name unknown|repository .* (does not exist|not found)|NAME_UNKNOWN/i)) {
    return new WharfError("PRECONDITION_FAILED", `The repository of ${reference} does not exist in the registry ${registry} (${message}): create it there, or push to an existing one.`, "REPOSITORY_MISSING");
  }
  if (says(/denied|forbidden|not authorized to perform/i)) {
    return new WharfError("PRECONDITION_FAILED", `The registry ${registry} does not let these credentials push to ${reference} (${message}): grant them push access to that repository, or choose one they may write.`, "REGISTRY_DENIED");
  }
  if (says(/connection refused|no such host|i\/o timeout|dial tcp|no route to host|HTTP response to HTTPS client|certificate|TLS handshake/i)) {
    return new WharfError("PRECONDITION_FAILED", `The host could not reach the registry ${registry} (${message}): check the registry's address and the host's network (and its engine's TLS/insecure-registry settings).`, "REGISTRY_UNREACHABLE");
  }
  return new WharfError("PRECONDITION_FAILED", `Pushing ${reference} to the registry ${registry} failed: ${message}`, "PUSH_FAILED");
}

/**
 * Tags `image` on the host and pushes it with per-call credentials, yielding
 * each layer's progress and, last, the pushed reference and digest. A plain
 * async generator, so a job (build and push) can drive it as well as a page.
 */
export async function* pushImage(deps: WharfDeps, host: Host, actor: Actor, input: z.output<typeof pushImageInput>, signal?: AbortSignal): AsyncGenerator<PushEvent, void, undefined> {
  const registry = await loadRegistry(deps, host.teamId, input.registryId);
  if (registry.kind === "ECR") {
    const settings = ecrSettings(registry);
    if (!(await ecrRepositoryExists(settings, input.repository))) {
      if (!input.createRepository) {
        throw new WharfError(
          "PRECONDITION_FAILED",
          `The repository ${input.repository} does not exist in the registry ${registry.name}: create it (Wharf can do it for you) or choose another.`,
          "REPOSITORY_MISSING",
        );
      }
      await createEcrRepository(settings, input.repository);
      await recordAudit(deps.db, {
        teamId: host.teamId,
        actor,
        action: "registry.repository.create",
        targetType: "registry",
        targetId: registry.id,
        summary: `Created the repository ${input.repository} in ${registry.name}`,
      });
      yield { kind: "repositoryCreated", repository: input.repository };
    }
  }
  const { auth } = await registryAuth(deps, registry);
  const repository = `${auth.serverAddress}/${input.repository}`;
  const reference = `${repository}:${input.tag}`;
  const frames = await openAgentStream(deps, host, "imagePush", { image: input.image, repository, tag: input.tag, auth }, signal ? { signal } : {});
  for await (const frame of frames) {
    if (frame.kind === "failed") throw explainPushFailure(registry.name, reference, frame.message);
    if (frame.kind === "layer") {
      yield frame;
      continue;
    }
    await recordAudit(deps.db, {
      teamId: host.teamId,
      actor,
      action: "image.push",
      targetType: "host",
      targetId: host.id,
      summary: `Pushed ${input.image} from ${host.name} to ${reference} (${frame.digest})`,
    });
    yield { kind: "pushed", reference, digest: frame.digest, sizeBytes: frame.sizeBytes };
    return;
  }
  throw new WharfError("PRECONDITION_FAILED", `The push of ${reference} to ${registry.name} ended without a digest: look at the host's engine log and try again.`, "PUSH_FAILED");
}
