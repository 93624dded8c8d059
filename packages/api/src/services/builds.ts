import { formatSize } from "@wharf/agent-protocol";
import { type DeploymentAction, deploymentSummarySelect, type Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { BUILD_ACTIONS } from "../lib/dockerfile-build";
import { type PushPlan, pushPlan, type PushTarget, type TeamRegistry } from "../lib/push-plan";
import { PushProgress } from "../lib/push-progress";
import { pushImage } from "./image-push";
import { teamRegistries } from "./registries";
import { publicContent, type RevisionContent } from "./stack-project";
import { findRevisionRow, findStackForTeam } from "./stacks";

/** What a build job wrote, kept on the job for the build history. */
export const builtImage = z.object({
  id: z.string().nullable(),
  names: z.array(z.string()),
  /** Build and push: the service the image was built for. */
  service: z.string().nullable(),
  pushed: z.object({ registry: z.string(), reference: z.string(), digest: z.string(), sizeBytes: z.number() }).nullable(),
});
export type BuiltImage = z.infer<typeof builtImage>;

async function planFor(deps: WharfDeps, teamId: string, files: { content: string }[]): Promise<PushPlan> {
  return pushPlan(files, await teamRegistries(deps, teamId));
}

export const pushPlanInput = z.object({ stackId: z.string().min(1), revisionNumber: z.number().int().positive().optional() });

/** Which services a build and push of the revision (default: the latest) would push where, and why the others would not. */
export async function getPushPlan(deps: WharfDeps, teamId: string, input: z.infer<typeof pushPlanInput>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const row = await findRevisionRow(deps, stack.id, input.revisionNumber);
  return { revisionNumber: row.number, ...(await planFor(deps, teamId, publicContent(row).files)) };
}

const describeSkipped = (plan: PushPlan) => plan.skipped.map((entry) => `${entry.service}: ${entry.why}`).join(" ");

/**
 * Refuses, before any job is queued, a build and push with nothing to push
 * (or naming a service it would not push) and a Dockerfile build whose files
 * the revision does not hold.
 */
export async function assertBuildRequest(
  deps: WharfDeps,
  teamId: string,
  stackName: string,
  request: { action: DeploymentAction; options: { services?: string[] | undefined; dockerfile?: string | undefined; context?: string | undefined } },
  content: RevisionContent,
): Promise<void> {
  if (request.action === "BUILD_PUSH") {
    const plan = await planFor(deps, teamId, content.files);
    for (const service of request.options.services ?? []) {
      if (plan.targets.some((target) => target.service === service)) continue;
      const why = plan.skipped.find((entry) => entry.service === service)?.why ?? "the stack's files have no such service.";
      throw new WharfError("BAD_REQUEST", `${service} cannot be built and pushed: ${why}`, "NOTHING_TO_PUSH", [{ path: ["options", "services"], message: why }]);
    }
    if (plan.targets.length === 0) {
      throw new WharfError(
        "PRECONDITION_FAILED",
        `No service of ${stackName} can be built and pushed: it needs a build section and an image: in one of the team's registries. ${describeSkipped(plan)}`,
        "NOTHING_TO_PUSH",
      );
    }
  }
  if (request.action === "BUILD_FILE") {
    const paths = content.tree.files.map((file) => file.path);
    const { dockerfile, context = "." } = request.options;
    if (dockerfile !== undefined && !paths.includes(dockerfile)) {
      throw new WharfError("BAD_REQUEST", `The stack's folder has no file ${dockerfile}: upload it, or give the path of its Dockerfile.`, "NO_DOCKERFILE", [
        { path: ["options", "dockerfile"], message: `No file ${dockerfile} in the stack's folder.` },
      ]);
    }
    if (context !== "." && !paths.some((path) => path.startsWith(`${context}/`))) {
      throw new WharfError("BAD_REQUEST", `The stack's folder has no directory ${context}: give a directory that holds the build's files.`, "NO_CONTEXT", [
        { path: ["options", "context"], message: `No directory ${context} in the stack's folder.` },
      ]);
    }
  }
}

/** The push plan the job follows: the revision's services that qualify, narrowed to the ones asked for; the rest said as skipped. */
export function jobPushTargets(registries: readonly TeamRegistry[], content: RevisionContent, services: string[] | undefined, say: (line: string) => void): PushTarget[] {
  const plan = pushPlan(content.files, registries);
  for (const entry of plan.skipped) say(`Skipping ${entry.service}: ${entry.why}`);
  const targets = plan.targets.filter((target) => services === undefined || services.includes(target.service));
  for (const target of plan.targets) if (!targets.includes(target)) say(`Skipping ${target.service}: not among the services asked for.`);
  return targets;
}

/** BuildKit names a Docker Hub image in full (docker.io/library/web:1): the service's image as written matches it either way. */
function namesImage(names: readonly string[], image: string): boolean {
  return names.some((name) => name === image || name === `docker.io/${image}` || name === `docker.io/library/${image}`);
}

interface PushJob {
  host: Host;
  requestedById: string | null;
  requestedByLabel: string;
}

/**
 * Pushes each built image to its registry through the same push as the
 * image page (per-call credentials, per-layer progress, the same error
 * for each kind of failure). A failed push does not stop the others; the
 * first failure is returned for the job's outcome.
 */
export async function pushBuiltImages(
  deps: WharfDeps,
  job: PushJob,
  targets: readonly PushTarget[],
  built: readonly { id: string; names: string[] }[],
  options: { createRepositories?: boolean | undefined },
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<{ images: BuiltImage[]; failures: WharfError[] }> {
  const actor = { id: job.requestedById, label: job.requestedByLabel };
  const images: BuiltImage[] = [];
  const failures: WharfError[] = [];
  for (const target of targets) {
    const local = built.find((image) => namesImage(image.names, target.image));
    const image: BuiltImage = { id: local?.id ?? null, names: local?.names ?? [target.image], service: target.service, pushed: null };
    images.push(image);
    say(`Pushing ${target.service} (${target.image}) to ${target.registryName}…`);
    const progress = new PushProgress();
    try {
      const input = { image: target.image, registryId: target.registryId, repository: target.repository, tag: target.tag, createRepository: options.createRepositories ?? false };
      for await (const event of pushImage(deps, job.host, actor, input, signal)) {
        if (event.kind === "layer") {
          const line = progress.line(event);
          if (line !== null) say(line);
        } else if (event.kind === "repositoryCreated") {
          say(`Created the repository ${event.repository} in ${target.registryName}.`);
        } else {
          say(progress.summary());
          say(`Pushed ${event.reference}: digest ${event.digest} (${formatSize(event.sizeBytes)}).`);
          image.pushed = { registry: target.registryName, reference: event.reference, digest: event.digest, sizeBytes: event.sizeBytes };
        }
      }
    } catch (error) {
      if (signal.aborted || !(error instanceof WharfError)) throw error;
      say(`The push of ${target.service} failed: ${error.message}`);
      failures.push(error);
    }
  }
  return { images, failures };
}

export const listBuildsInput = z.object({ stackId: z.string().min(1), limit: z.number().int().min(1).max(500).default(200) });

/** The stack's build jobs, newest first, with the images each wrote and where it pushed them. */
export async function listBuilds(deps: WharfDeps, teamId: string, input: z.infer<typeof listBuildsInput>) {
  const stack = await findStackForTeam(deps.db, teamId, input.stackId);
  const rows = await deps.db.deployment.findMany({
    where: { stackId: stack.id, action: { in: [...BUILD_ACTIONS] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    select: { ...deploymentSummarySelect, builtImages: true },
  });
  return rows.map(({ builtImages, ...row }) => {
    const images = z.array(builtImage).safeParse(builtImages ?? []);
    return { ...row, images: images.success ? images.data : [] };
  });
}
