import { imageTag } from "@wharf/agent-protocol";
import type { RegistryKind } from "@wharf/db";

import { declaredServices } from "./build-override";

/** The repository part of a reference, as the distribution grammar spells it (lower-case components separated by /). */
export const REPOSITORY_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

const DOCKER_HUB = "docker.io";

export interface TeamRegistry {
  id: string;
  name: string;
  kind: RegistryKind;
  /** host[:port] as image references name it. */
  address: string;
}

/** A service a build and push builds, and where its image goes. */
export interface PushTarget {
  service: string;
  /** The local image compose tags the build with: the service's `image:`. */
  image: string;
  registryId: string;
  registryName: string;
  /** Inside the registry, without its address. */
  repository: string;
  tag: string;
}

export interface SkippedService {
  service: string;
  why: string;
}

export interface PushPlan {
  targets: PushTarget[];
  skipped: SkippedService[];
}

/** "host:5000/team/web:1.2" → host, path and tag; a first component without "." or ":" (and not localhost) is a Docker Hub path. */
export function splitReference(reference: string): { address: string; path: string; tag: string } {
  const slash = reference.indexOf("/");
  const first = slash < 0 ? "" : reference.slice(0, slash);
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  const address = hasHost ? first : DOCKER_HUB;
  const rest = hasHost ? reference.slice(slash + 1) : reference;
  const colon = rest.lastIndexOf(":");
  const tagged = colon > rest.lastIndexOf("/");
  return { address, path: tagged ? rest.slice(0, colon) : rest, tag: tagged ? rest.slice(colon + 1) : "latest" };
}

/** Why the service's image cannot be pushed to one of `registries`, or where it goes. */
function planService(service: { name: string; build: boolean; image: string | null }, registries: readonly TeamRegistry[]): PushTarget | SkippedService {
  const skip = (why: string): SkippedService => ({ service: service.name, why });
  if (!service.build) return skip("it has no build section: there is nothing to build.");
  if (service.image === null) return skip("it has no image: name, so its image has no registry; set image: to a repository of one of the team's registries.");
  const image = service.image;
  if (image.includes("$")) return skip(`its image (${image}) is set through a variable: write the registry and repository out to push it.`);
  if (image.includes("@")) return skip(`its image (${image}) is pinned by digest: give it a tag to push to.`);
  const { address, path, tag } = splitReference(image);
  const registry = registries.find((candidate) => candidate.address === address);
  if (!registry) {
    return skip(`its image names ${address}, for which the team has no registry credentials: add the registry on the Registries page.`);
  }
  const repository = registry.kind === "DOCKER_HUB" ? path.replace(/^library\//, "") : path;
  if (registry.kind === "DOCKER_HUB" && !repository.includes("/")) {
    return skip(`its image (${image}) names an official Docker Hub image: push to <user or organisation>/${repository} instead.`);
  }
  if (!REPOSITORY_PATH.test(repository)) return skip(`its repository ${repository} is not one a registry takes (lower-case name parts separated by /).`);
  if (!imageTag.safeParse(tag).success) return skip(`its tag ${tag} is not a valid tag.`);
  return { service: service.name, image, registryId: registry.id, registryName: registry.name, repository, tag };
}

/**
 * Which services of the stack's files a build and push builds and pushes:
 * those with a build section whose `image:` names a registry the team has
 * credentials for. Every other service is listed with why it is left out.
 */
export function pushPlan(files: { content: string }[], registries: readonly TeamRegistry[]): PushPlan {
  const plan: PushPlan = { targets: [], skipped: [] };
  for (const service of declaredServices(files)) {
    const planned = planService(service, registries);
    if ("registryId" in planned) plan.targets.push(planned);
    else plan.skipped.push(planned);
  }
  return plan;
}
