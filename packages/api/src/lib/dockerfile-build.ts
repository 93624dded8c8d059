import { composeFilePath, imageTag } from "@wharf/agent-protocol";
import type { DeploymentAction } from "@wharf/db";
import { stringify } from "yaml";
import { z } from "zod";

import { buildSection, type BuildSectionOptions } from "./build-override";
import { REPOSITORY_PATH, splitReference } from "./push-plan";

/** The jobs that build images: a stack's services, those it pushes, or one Dockerfile of its folder. */
export const BUILD_ACTIONS: readonly DeploymentAction[] = ["BUILD", "BUILD_PUSH", "BUILD_FILE"];

/**
 * A single Dockerfile build runs as a compose build of one generated service
 * (this name) in the stack's project: the same job, folder sync, options and
 * progress as the stack's own builds, with nothing else to run on the host.
 */
export const DOCKERFILE_SERVICE = "wharf-dockerfile-build";
export const DOCKERFILE_OVERRIDE_PATH = "wharf.dockerfile.yaml";

/** An image name to build into: [registry-host[:port]/]repository[:tag]. */
export const imageReference = z
  .string()
  .trim()
  .min(1, "Name the image to build (e.g. team/web:1.0).")
  .max(255)
  .refine((reference) => {
    const { address, path, tag } = splitReference(reference);
    return /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?)$/.test(address) && REPOSITORY_PATH.test(path) && imageTag.safeParse(tag).success;
  }, "An image name is [registry-host[:port]/]lower-case/name[:tag], e.g. registry.example.com:5000/team/web:1.0.");

/** The options of a single Dockerfile build; paths are inside the stack's folder (no absolute path, no ..). */
export const dockerfileBuildOptions = z.object({
  /** BUILD_FILE: the Dockerfile, relative to the stack's folder. */
  dockerfile: composeFilePath.optional(),
  /** BUILD_FILE: the build context, a directory of the stack's folder ("." for the folder itself). */
  context: z.union([z.literal("."), composeFilePath]).optional(),
  /** BUILD_FILE: the image name the build is tagged with. */
  tag: imageReference.optional(),
});
type DockerfileBuildOptions = z.infer<typeof dockerfileBuildOptions>;

/** The Dockerfile's path from its context; null when it lies outside the context. */
export function dockerfileInContext(dockerfile: string, context: string): string | null {
  if (context === ".") return dockerfile;
  return dockerfile.startsWith(`${context}/`) ? dockerfile.slice(context.length + 1) : null;
}

/** What is wrong with a job's build options for its action (each with the option's path). */
export function buildOptionProblems(action: DeploymentAction, options: DockerfileBuildOptions & BuildSectionOptions & { noCache?: boolean | undefined; createRepositories?: boolean | undefined; services?: string[] | undefined }) {
  const problems: { path: string[]; message: string }[] = [];
  const building = BUILD_ACTIONS.includes(action);
  for (const key of ["noCache", "target", "buildArgs"] as const) {
    if ((options as Record<string, unknown>)[key] !== undefined && !building) problems.push({ path: [key], message: "Only builds take build options." });
  }
  if (options.createRepositories !== undefined && action !== "BUILD_PUSH") problems.push({ path: ["createRepositories"], message: "Only a build and push creates repositories." });
  const file = { dockerfile: options.dockerfile, context: options.context, tag: options.tag };
  if (action !== "BUILD_FILE") {
    for (const [key, value] of Object.entries(file)) if (value !== undefined) problems.push({ path: [key], message: "Only a Dockerfile build takes a Dockerfile, context and image name." });
    return problems;
  }
  if (options.services !== undefined) problems.push({ path: ["services"], message: "A Dockerfile build builds no service of the stack." });
  if (file.dockerfile === undefined) problems.push({ path: ["dockerfile"], message: "Give the Dockerfile's path in the stack's folder." });
  if (file.tag === undefined) problems.push({ path: ["tag"], message: "Name the image to build (e.g. team/web:1.0)." });
  if (file.dockerfile !== undefined && dockerfileInContext(file.dockerfile, file.context ?? ".") === null) {
    problems.push({ path: ["dockerfile"], message: `The Dockerfile must be inside the context directory ${file.context ?? "."}.` });
  }
  return problems;
}

/** The generated file that declares the one service a Dockerfile build builds. */
export function renderDockerfileOverride(options: { dockerfile: string; context: string; tag: string } & BuildSectionOptions): string {
  const dockerfile = dockerfileInContext(options.dockerfile, options.context) ?? options.dockerfile;
  const build = { context: options.context === "." ? "." : `./${options.context}`, dockerfile, ...buildSection(options) };
  return stringify({ services: { [DOCKERFILE_SERVICE]: { build, image: options.tag } } });
}
