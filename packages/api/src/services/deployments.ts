import { composeServiceImage, composeServiceName, type PreflightCheck, preflightCheck } from "@wharf/agent-protocol";
import {
  type DeploymentAction,
  deploymentDetailSelect,
  type DeploymentStatus,
  deploymentSummarySelect,
  type Host,
  Prisma,
} from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, type Problem, WharfError } from "../errors";
import { buildArgs, buildTarget } from "../lib/build-override";
import { BUILD_ACTIONS, buildOptionProblems, dockerfileBuildOptions } from "../lib/dockerfile-build";
import { type ImagePin, imagePin, pinsFromDigests } from "../lib/image-pins";
import { toRequestedLimits } from "../lib/limits-override";
import { NO_SECRETS } from "../lib/redact";
import { type Actor, recordAudit } from "./audit";
import { assertBuildRequest } from "./builds";
import { deployedState, UP_ACTIONS } from "./deployed-state";
import { guardrailCheck, guardrailRefusal, type GuardrailRequester } from "./guardrails";
import { callAgent } from "./hosts";
import { protectedHosts } from "./protection";
import { registryAuthsFor, teamRegistries } from "./registries";
import { assertStackOnHosts } from "./stack-presence";
import { buildProject, redactorFor, type RevisionContent, revisionContent } from "./stack-project";
import { ensureTreeOnHost } from "./stack-tree";
import { findRevisionRow, findStackForTeam } from "./stacks";
import { publishEvent } from "./webhooks";

type Tx = Prisma.TransactionClient;
type DeploymentSummary = Prisma.DeploymentGetPayload<{ select: typeof deploymentSummarySelect }>;

export const DEPLOYMENT_ACTIONS = ["DEPLOY", "STOP", "DOWN", "RESTART", "PULL", "BUILD", "REDEPLOY", "ROLLBACK", "BUILD_PUSH", "BUILD_FILE"] as const satisfies readonly DeploymentAction[];
export const deploymentAction = z.enum(DEPLOYMENT_ACTIONS);

/** Actions that (re)create containers: preflight first, and record what ran. */
export { UP_ACTIONS };
const REVISION_ACTIONS: DeploymentAction[] = ["DEPLOY", "ROLLBACK", "PULL", ...BUILD_ACTIONS];
const SERVICE_ACTIONS: DeploymentAction[] = ["STOP", "RESTART", "PULL", "BUILD", "BUILD_PUSH"];
const FINISHED: DeploymentStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

export const deploymentOptions = z.object({
  /** STOP, RESTART, PULL, BUILD: only these services. */
  services: z.array(composeServiceName).min(1).max(100).optional(),
  /** DOWN: also remove the stack's named volumes (needs `confirm`). */
  volumes: z.boolean().optional(),
  /** DOWN with volumes: the stack's name, typed again by the user. */
  confirm: z.string().optional(),
  /** REDEPLOY: pull the images before recreating the containers. BUILD: pull newer base images first. */
  pull: z.boolean().optional(),
  /** BUILD: build every step again, none from the cache. */
  noCache: z.boolean().optional(),
  /** BUILD: the Dockerfile stage to build. */
  target: buildTarget.optional(),
  /** BUILD: build args (ARG) by name. */
  buildArgs: buildArgs.optional(),
  /** BUILD_PUSH: create missing Amazon ECR repositories instead of failing (other registries create them on push). */
  createRepositories: z.boolean().optional(),
  ...dockerfileBuildOptions.shape,
});
export type DeploymentOptions = z.infer<typeof deploymentOptions>;

export const startDeploymentInput = z
  .object({
    stackId: z.string().min(1),
    action: deploymentAction,
    /** Default: every target of the stack. Several hosts run one after another, each after the previous succeeded. */
    hostIds: z
      .array(z.string().min(1))
      .min(1)
      .max(50)
      .refine((ids) => new Set(ids).size === ids.length, "A host is listed twice.")
      .optional(),
    /** DEPLOY (default: the latest), ROLLBACK (required), PULL and BUILD (default: the latest). */
    revisionNumber: z.number().int().positive().optional(),
    options: deploymentOptions.default({}),
  })
  .superRefine((input, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (input.action === "ROLLBACK" && input.revisionNumber === undefined) issue(["revisionNumber"], "Choose the revision to roll back to.");
    if (input.revisionNumber !== undefined && !REVISION_ACTIONS.includes(input.action)) {
      issue(["revisionNumber"], `${input.action.toLowerCase()} acts on the revision that is deployed; a revision applies to deploy, rollback, pull and build.`);
    }
    const { services, volumes, confirm, pull } = input.options;
    if (services && !SERVICE_ACTIONS.includes(input.action)) issue(["options", "services"], "Only stop, restart, pull, build and build and push take services.");
    if ((volumes !== undefined || confirm !== undefined) && input.action !== "DOWN") issue(["options", "volumes"], "Only down removes volumes.");
    if (pull !== undefined && input.action !== "REDEPLOY" && !BUILD_ACTIONS.includes(input.action)) issue(["options", "pull"], "Only redeploy and builds pull first.");
    for (const problem of buildOptionProblems(input.action, input.options)) issue(["options", ...problem.path], problem.message);
  });
export type StartDeploymentInput = z.infer<typeof startDeploymentInput>;

export const listDeploymentsInput = z.object({
  stackId: z.string().min(1).optional(),
  hostId: z.string().min(1).optional(),
  cursor: z.string().optional(),
  // Coerced: REST callers send it as a query string.
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

export const deploymentOutputInput = z.object({
  deploymentId: z.string().min(1),
  /** Replay from after this line; reconnecting clients send the `lastEventId` they saw instead. */
  afterSeq: z.number().int().min(-1).default(-1),
  lastEventId: z.string().regex(/^-?\d+$/).nullish(),
});

export function describeAction(action: DeploymentAction): string {
  return action.charAt(0) + action.slice(1).toLowerCase();
}

/** The job rows of this stack and host that are waiting or running (at most one, by the partial unique index). */
async function activeJob(db: Tx | WharfDeps["db"], stackId: string, hostId: string) {
  return db.deployment.findFirst({
    where: { stackId, hostId, status: { in: ["QUEUED", "RUNNING"] } },
    select: { id: true, action: true, status: true, requestedByLabel: true },
  });
}

function busyError(stackName: string, hostName: string, job: { id: string; action: DeploymentAction; status: DeploymentStatus; requestedByLabel: string }): WharfError {
  const state = job.status === "RUNNING" ? "already running" : "already queued";
  return new WharfError(
    "CONFLICT",
    `A ${job.action.toLowerCase()} of ${stackName} on ${hostName} is ${state} (requested by ${job.requestedByLabel}): wait for it or cancel it.`,
    "JOB_ACTIVE",
  );
}

interface HostPlan {
  host: Host;
  revision: { id: string; number: number };
  content: RevisionContent;
  overlay: string | null;
  checks: PreflightCheck[] | null;
  /** From the preflight: the merged compose that will run (secrets redacted), and the compose that prints it. */
  rendered: Rendered | null;
  /** Rollback: the images the revision ran on this host. */
  pins: ImagePin[];
}

export interface Rendered {
  renderedCompose: string;
  compose: string;
}

/** The last successful deploy/redeploy/rollback of a revision on the host: the overlay and images it ran with. */
async function lastRunOf(deps: WharfDeps, stackId: string, hostId: string, revisionId: string) {
  return deps.db.deployment.findFirst({
    where: { stackId, hostId, status: "SUCCEEDED", action: { in: [...UP_ACTIONS] }, revisionId },
    orderBy: { finishedAt: "desc" },
    select: { revisionId: true, overlay: true, imageDigests: true },
  });
}

/**
 * Which revision and overlay a job runs with. Deploy, pull and build take the
 * chosen (or latest) revision with the host's current overlay. Rollback takes
 * the chosen revision with the overlay and images it last ran with there, so
 * it restores what ran even if a tag moved since. Stop, down, restart and
 * redeploy act on what is deployed.
 */
async function planHost(deps: WharfDeps, stack: { id: string }, host: Host, currentOverlay: string | null, input: StartDeploymentInput): Promise<HostPlan> {
  let revisionNumber = input.revisionNumber;
  let overlay = currentOverlay;
  let pins: ImagePin[] = [];
  if (input.action === "ROLLBACK" && revisionNumber !== undefined) {
    const row = await findRevisionRow(deps, stack.id, revisionNumber);
    const ran = await lastRunOf(deps, stack.id, host.id, row.id);
    if (ran) {
      overlay = ran.overlay;
      const recorded = lenient(z.array(composeServiceImage), ran.imageDigests) ?? [];
      if (recorded.length > 0) pins = pinsFromDigests(recorded, await callAgent(deps, host, "listImages", {}));
    }
  } else if (!REVISION_ACTIONS.includes(input.action)) {
    // Nothing deployed (never, or taken down): the latest revision, as for a first deploy.
    const deployed = await deployedState(deps.db, stack.id, host.id);
    if (deployed) {
      overlay = deployed.overlay;
      revisionNumber = deployed.revision.number;
    }
  }
  const row = await findRevisionRow(deps, stack.id, revisionNumber);
  return { host, revision: { id: row.id, number: row.number }, content: revisionContent(deps, row), overlay, checks: null, rendered: null, pins };
}

export function failedChecks(checks: PreflightCheck[]): PreflightCheck[] {
  return checks.filter((check) => !check.ok);
}

/** Runs the agent's preflight; a project compose rejects counts as a refusal too. */
export async function runPreflight(
  deps: WharfDeps,
  requester: GuardrailRequester,
  plan: Pick<HostPlan, "host" | "content" | "overlay" | "pins">,
): Promise<{ checks: PreflightCheck[]; rendered: Rendered | null; refusal: { reason: string; message: string; problems: Problem[] } | null }> {
  const { project } = buildProject(requester.stack.name, plan.content, plan.overlay, plan.pins);
  const redactor = redactorFor(plan.content);
  const guardrails = guardrailCheck(deps, requester, plan.host);
  try {
    const [, registryAuths] = await Promise.all([
      ensureTreeOnHost(deps, plan.host, project.name, plan.content.tree),
      // A registry that refuses here is reported by the image check itself.
      teamRegistries(deps, requester.teamId).then((registries) => registryAuthsFor(deps, registries, project.files.map((file) => file.content), () => undefined)),
    ]);
    const result = await callAgent(deps, plan.host, "preflight", {
      project,
      limits: { services: toRequestedLimits(plan.content.limits) },
      hostLabel: plan.host.name,
      ...(registryAuths.length > 0 ? { registryAuths } : {}),
    });
    const rendered = { renderedCompose: redactor.text(result.merged), compose: `${result.compose.flavor} ${result.compose.version}` };
    const checks = redactor.json(result.checks);
    // The merged config is what would run: the requester's role must be allowed every guarded feature it uses.
    const violations = await guardrails(result.merged);
    if (violations.length > 0) {
      const refusal = guardrailRefusal(plan.host, violations);
      return { checks, rendered, refusal: { ...refusal, message: redactor.text(refusal.message) } };
    }
    const failed = failedChecks(checks);
    if (failed.length === 0) return { checks, rendered, refusal: null };
    return {
      checks,
      rendered,
      refusal: {
        reason: "PREFLIGHT_FAILED",
        message: failed.map((check) => check.message).join("; "),
        problems: failed.map((check) => ({ path: ["preflight", plan.host.name, ...(check.service ? [check.service] : []), check.check], message: check.message })),
      },
    };
  } catch (caught) {
    // Compose quotes the values it rejects, secrets included.
    const error = redactor.error(caught);
    if (error instanceof WharfError && error.reason === "COMPOSE_INVALID") {
      return { checks: [], rendered: null, refusal: { reason: "COMPOSE_INVALID", message: error.message, problems: error.problems ?? [] } };
    }
    throw error;
  }
}

/** Cancels the jobs waiting for `deploymentId` (host-by-host runs), and theirs in turn. */
export async function skipFollowers(tx: Tx, deploymentId: string, why: string): Promise<void> {
  let ids = [deploymentId];
  while (ids.length > 0) {
    const followers = await tx.deployment.findMany({ where: { afterId: { in: ids }, status: "QUEUED" }, select: { id: true } });
    ids = followers.map((f) => f.id);
    if (ids.length > 0) await tx.deployment.updateMany({ where: { id: { in: ids } }, data: { status: "CANCELLED", error: why, reason: "SKIPPED", finishedAt: new Date() } });
  }
}

/** Appends control-plane lines after whatever the job has stored. */
export async function appendSystemLines(tx: Tx, deploymentId: string, lines: string[]): Promise<void> {
  const last = await tx.deploymentLog.findFirst({ where: { deploymentId }, orderBy: { seq: "desc" }, select: { seq: true } });
  const start = (last?.seq ?? -1) + 1;
  const at = new Date();
  await tx.deploymentLog.createMany({ data: lines.map((text, i) => ({ deploymentId, seq: start + i, stream: "wharf", text, at })) });
}

/** What every job row of a request says: which stack, host, revision and overlay, what to do, and who asked. */
function jobFields(stackId: string, plan: HostPlan, input: StartDeploymentInput, actor: Actor) {
  return {
    stackId,
    hostId: plan.host.id,
    revisionId: plan.revision.id,
    action: input.action,
    options: input.options,
    requestedById: actor.id,
    requestedByLabel: actor.label,
    overlay: plan.overlay,
  };
}

/** Refused before it started: the job is kept, failed, with the agent's checks and messages as its output. */
async function recordRefusal(deps: WharfDeps, stack: { id: string; name: string; teamId: string }, actor: Actor, input: StartDeploymentInput, plan: HostPlan, checks: PreflightCheck[], refusal: { reason: string; message: string }) {
  const now = new Date();
  const redactor = redactorFor(plan.content);
  await deps.db.$transaction(async (tx) => {
    const job = await tx.deployment.create({
      data: {
        ...jobFields(stack.id, plan, input, actor),
        status: "FAILED",
        reason: refusal.reason,
        error: redactor.text(refusal.message),
        preflight: redactor.json(checks),
        preflightAt: now,
        startedAt: now,
        finishedAt: now,
      },
      select: { id: true },
    });
    const lines = {
      PREFLIGHT_FAILED: [`Preflight on ${plan.host.name} refused the ${input.action.toLowerCase()}; nothing was changed.`, ...failedChecks(checks).map((check) => check.message)],
      GUARDRAIL_VIOLATION: [`The compose guardrails refused the ${input.action.toLowerCase()} on ${plan.host.name}; nothing was changed.`, refusal.message],
    }[refusal.reason] ?? [`compose rejected the files on ${plan.host.name}; nothing was changed.`, refusal.message];
    await appendSystemLines(tx, job.id, lines.map((line) => redactor.text(line)));
    await recordAudit(tx, {
      teamId: stack.teamId,
      actor,
      action: "deployment.refused",
      targetType: "deployment",
      targetId: job.id,
      summary: `${describeAction(input.action)} of ${stack.name} revision ${plan.revision.number} on ${plan.host.name} refused: ${refusal.message}`,
      redactor,
    });
  });
  void publishEvent(deps, stack.teamId, "deployment.refused", {
    action: input.action.toLowerCase(),
    stack: stack.name,
    stackId: stack.id,
    revision: plan.revision.number,
    host: plan.host.name,
    hostId: plan.host.id,
    reason: refusal.reason,
    error: redactor.text(refusal.message),
  });
}

/** The stack and the targets a request names (default: all of them), refused when one is not a target. */
export async function chooseTargets(deps: WharfDeps, teamId: string, input: StartDeploymentInput) {
  // At once: the targets are read within the team, so a stack of another team has none.
  const [stack, targets] = await Promise.all([
    findStackForTeam(deps.db, teamId, input.stackId),
    deps.db.stackTarget.findMany({ where: { stackId: input.stackId, stack: { teamId } }, orderBy: { createdAt: "asc" }, include: { host: true } }),
  ]);
  if (targets.length === 0) throw new WharfError("PRECONDITION_FAILED", `${stack.name} has no target hosts yet: add one first.`, "NO_TARGETS");
  const hostIds = input.hostIds ?? targets.map((t) => t.hostId);
  const chosen = hostIds.map((hostId) => {
    const target = targets.find((t) => t.hostId === hostId);
    if (!target) throw new WharfError("BAD_REQUEST", `That host is not a target of ${stack.name}.`, "NOT_A_TARGET");
    return target;
  });
  if (input.action === "DOWN" && input.options.volumes && input.options.confirm !== stack.name) {
    throw new WharfError("BAD_REQUEST", `Removing volumes deletes their data: type the stack's name (${stack.name}) to confirm.`, "CONFIRMATION_REQUIRED", [
      { path: ["options", "confirm"], message: `Type ${stack.name} to confirm.` },
    ]);
  }
  return { stack, chosen };
}

/**
 * Queues one job per host (host by host: each waits for the previous one to
 * succeed). Deploy, redeploy and rollback run the agent's preflight on every
 * host first: any refusal blocks them all, and is recorded as a failed job.
 * `approved`: the run of an approval request, which already passed its
 * protected environments; any other call there is refused, pointing to a request.
 */
export async function startDeployment(deps: WharfDeps, teamId: string, actor: Actor, input: StartDeploymentInput, how: { approved?: boolean } = {}) {
  const { stack, chosen } = await chooseTargets(deps, teamId, input);
  if (!how.approved) {
    const guarded = await protectedHosts(deps.db, input.action, chosen.map((target) => target.host));
    if (guarded.length > 0) {
      throw new WharfError(
        "PRECONDITION_FAILED",
        `${guarded.map((host) => host.name).join(", ")} ${guarded.length > 1 ? "are" : "is"} in a protected environment: a ${input.action.toLowerCase()} there needs another member's approval. Request it instead (the same action, as an approval request).`,
        "APPROVAL_REQUIRED",
      );
    }
  }
  // Independent reads, at once: each is a round trip to the database.
  const [busy, plans, absent] = await Promise.all([
    Promise.all(chosen.map((target) => activeJob(deps.db, stack.id, target.hostId))),
    Promise.all(chosen.map((target) => planHost(deps, stack, target.host, target.overlay, input))),
    assertStackOnHosts(deps.db, stack, input.action, chosen.map((target) => target.host)).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ),
  ]);
  busy.forEach((job, i) => {
    const target = chosen[i];
    if (job && target) throw busyError(stack.name, target.host.name, job);
  });
  // After the busy check: a queued deploy is the better answer, and it will leave containers to act on.
  if (absent) throw absent;
  // Every host builds the same revision: one check says whether it has what the build needs.
  const [first] = plans;
  if (first) await assertBuildRequest(deps, teamId, stack.name, input, first.content);
  const redactor = plans.reduce((all, plan) => all.with(redactorFor(plan.content)), NO_SECRETS);
  return redactor.guard(() => queueJobs(deps, teamId, actor, input, stack, chosen, plans));
}

/** Preflight (deploy, redeploy, rollback) on every host, then one job row per host, host by host. */
async function queueJobs(
  deps: WharfDeps,
  teamId: string,
  actor: Actor,
  input: StartDeploymentInput,
  stack: { id: string; name: string; teamId: string },
  chosen: { hostId: string; host: Host }[],
  plans: HostPlan[],
) {

  if (UP_ACTIONS.includes(input.action)) {
    const results = await Promise.all(plans.map((plan) => runPreflight(deps, { teamId, stack, userId: actor.id }, plan)));
    const refused = plans.flatMap((plan, i) => {
      const result = results[i];
      if (result) {
        plan.checks = result.checks;
        plan.rendered = result.rendered;
      }
      return result?.refusal ? [{ plan, checks: result.checks, refusal: result.refusal }] : [];
    });
    if (refused.length > 0) {
      for (const { plan, checks, refusal } of refused) await recordRefusal(deps, stack, actor, input, plan, checks, refusal);
      const reasons = new Set(refused.map((r) => r.refusal.reason));
      const [only] = reasons;
      const reason = reasons.size === 1 && only !== undefined ? only : "PREFLIGHT_FAILED";
      throw new WharfError(
        "PRECONDITION_FAILED",
        `${describeAction(input.action)} of ${stack.name} blocked, nothing was deployed: ${refused.map((r) => (r.refusal.reason === "COMPOSE_INVALID" ? `${r.plan.host.name}: ${r.refusal.message}` : r.refusal.message)).join("; ")}`,
        reason,
        refused.flatMap((r) => r.refusal.problems),
      );
    }
  }

  const preflightAt = new Date();
  try {
    return await deps.db.$transaction(async (tx) => {
      const created: DeploymentSummary[] = [];
      let previous: string | null = null;
      for (const plan of plans) {
        const job: DeploymentSummary = await tx.deployment.create({
          data: {
            ...jobFields(stack.id, plan, input, actor),
            afterId: previous,
            ...(plan.checks ? { preflight: plan.checks, preflightAt } : {}),
            ...plan.rendered,
            ...(plan.pins.length > 0 ? { imagePins: plan.pins } : {}),
          },
          select: deploymentSummarySelect,
        });
        await recordAudit(tx, {
          teamId,
          actor,
          action: "deployment.request",
          targetType: "deployment",
          targetId: job.id,
          summary: `${describeAction(input.action)} of ${stack.name} revision ${plan.revision.number} on ${plan.host.name} requested`,
          data: { stackId: stack.id, hostId: plan.host.id, options: input.options },
        });
        created.push(job);
        previous = job.id;
      }
      // Delivered on commit: runners in any process pick the jobs up at once.
      await tx.$executeRaw`SELECT pg_notify('wharf_deployments', ${stack.id})`;
      return created;
    });
  } catch (error) {
    // Lost a race past the check above: the partial unique index (one active job per stack and host) refused the row.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      for (const target of chosen) {
        const busy = await activeJob(deps.db, stack.id, target.hostId);
        if (busy) throw busyError(stack.name, target.host.name, busy);
      }
      throw new WharfError("CONFLICT", `Another action on ${stack.name} was requested at the same moment: try again.`, "JOB_ACTIVE");
    }
    throw error;
  }
}

async function findDeploymentForTeam(db: Tx | WharfDeps["db"], teamId: string, deploymentId: string) {
  const job = await db.deployment.findFirst({
    where: { id: deploymentId, stack: { teamId } },
    select: { id: true, status: true, action: true, stack: { select: { name: true } }, host: { select: { name: true } } },
  });
  if (!job) throw notFound("That deployment");
  return job;
}

/**
 * A queued job is cancelled at once; a running one is asked to stop (its
 * runner closes the agent stream, which stops compose) and ends CANCELLED.
 */
export async function cancelDeployment(deps: WharfDeps, teamId: string, actor: Actor, deploymentId: string) {
  const result = await deps.db.$transaction(async (tx) => {
    const job = await findDeploymentForTeam(tx, teamId, deploymentId);
    const what = `${job.action.toLowerCase()} of ${job.stack.name} on ${job.host.name}`;
    if (FINISHED.includes(job.status)) throw new WharfError("CONFLICT", `The ${what} already finished (${job.status.toLowerCase()}).`, "JOB_FINISHED");
    if (job.status === "QUEUED") {
      const updated = await tx.deployment.updateMany({
        where: { id: job.id, status: "QUEUED" },
        data: { status: "CANCELLED", reason: "CANCELLED", error: `Cancelled by ${actor.label} before it started.`, cancelRequestedAt: new Date(), finishedAt: new Date() },
      });
      if (updated.count === 0) throw new WharfError("CONFLICT", `The ${what} has just started: cancel it again to stop it.`, "JOB_STARTED");
      await skipFollowers(tx, job.id, `Skipped: the ${what} was cancelled.`);
    } else {
      await tx.deployment.update({ where: { id: job.id }, data: { cancelRequestedAt: new Date() } });
      await tx.$executeRaw`SELECT pg_notify('wharf_deployment_cancel', ${job.id})`;
    }
    await recordAudit(tx, { teamId, actor, action: "deployment.cancel", targetType: "deployment", targetId: job.id, summary: `Cancelled the ${what}` });
    return { id: job.id, status: job.status === "QUEUED" ? ("CANCELLED" as const) : ("CANCELLING" as const) };
  });
  deps.jobs.notify(deploymentId);
  return result;
}

export async function listDeployments(deps: WharfDeps, teamId: string, input: z.infer<typeof listDeploymentsInput>) {
  const rows = await deps.db.deployment.findMany({
    where: { stack: { teamId }, ...(input.stackId ? { stackId: input.stackId } : {}), ...(input.hostId ? { hostId: input.hostId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    select: { ...deploymentSummarySelect, stack: { select: { id: true, name: true } } },
  });
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
}

const redactedEnvEntry = z.object({ key: z.string(), value: z.string().nullable(), secret: z.boolean() });

function lenient<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function getDeployment(deps: WharfDeps, teamId: string, deploymentId: string) {
  const row = await deps.db.deployment.findFirst({
    where: { id: deploymentId, stack: { teamId } },
    select: { ...deploymentDetailSelect, stack: { select: { id: true, name: true } }, _count: { select: { logs: true } } },
  });
  if (!row) throw notFound("That deployment");
  const { preflight, envRedacted, imageDigests, imagePins, _count, ...rest } = row;
  return {
    ...rest,
    outputLines: _count.logs,
    preflight: lenient(z.array(preflightCheck), preflight),
    envRedacted: lenient(z.array(redactedEnvEntry), envRedacted),
    imageDigests: lenient(z.array(composeServiceImage), imageDigests),
    imagePins: lenient(z.array(imagePin), imagePins),
  };
}

export interface OutputLine {
  seq: number;
  stream: string;
  text: string;
  at: Date;
}

export type OutputEvent =
  | { type: "lines"; lastSeq: number; lines: OutputLine[] }
  | { type: "status"; lastSeq: number; status: DeploymentStatus; exitCode: number | null; error: string | null; reason: string | null };

const OUTPUT_PAGE = 500;
// Jobs run by another process have no local wake-up: their readers poll this often.
const OUTPUT_POLL_MS = 1_000;

/** Checks access before the stream starts, so a wrong id fails the call itself. */
export async function openDeploymentOutput(deps: WharfDeps, teamId: string, input: z.infer<typeof deploymentOutputInput>, signal?: AbortSignal) {
  await findDeploymentForTeam(deps.db, teamId, input.deploymentId);
  const after = input.lastEventId ? Number(input.lastEventId) : input.afterSeq;
  return followOutput(deps, input.deploymentId, after, signal);
}

/**
 * The job's stored lines after `afterSeq`, then new ones as they are stored,
 * and its status whenever it changes; ends after the final status. Lines are
 * always read from the database, so a reader that reconnects with the last
 * seq it saw loses nothing.
 */
export async function* followOutput(deps: WharfDeps, deploymentId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<OutputEvent, void, undefined> {
  const watcher = deps.jobs.watch(deploymentId);
  let lastSeq = afterSeq;
  let lastStatus: DeploymentStatus | null = null;
  try {
    while (!signal?.aborted) {
      const job = await deps.db.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, exitCode: true, error: true, reason: true } });
      if (!job) return;
      // Read after the status: a job stores all its lines before it finishes, so none can follow a final status.
      const lines = await deps.db.deploymentLog.findMany({
        where: { deploymentId, seq: { gt: lastSeq } },
        orderBy: { seq: "asc" },
        take: OUTPUT_PAGE,
        select: { seq: true, stream: true, text: true, at: true },
      });
      if (lines.length > 0) {
        lastSeq = lines.at(-1)?.seq ?? lastSeq;
        yield { type: "lines", lastSeq, lines };
        if (lines.length === OUTPUT_PAGE) continue;
      }
      if (job.status !== lastStatus) {
        lastStatus = job.status;
        yield { type: "status", lastSeq, ...job };
      }
      if (FINISHED.includes(job.status)) return;
      await watcher.next(OUTPUT_POLL_MS, signal);
    }
  } finally {
    watcher.close();
  }
}
