import { setTimeout as sleep } from "node:timers/promises";

import { agentErrorCode, type ComposeAction, type ComposeContainer, type ComposeRunData, type ComposeRunParams, type ComposeServiceImage, formatSize, type PreflightCheck, PROJECT_CALL_TIMEOUT_MS, REGISTRY_ACTIONS, type RegistryAuth } from "@wharf/agent-protocol";
import type { DeploymentAction, DeploymentStatus, Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { BUILD_OVERRIDE_PATH, renderBuildOverride, servicesWithBuild } from "../lib/build-override";
import { BuildProgress } from "../lib/build-progress";
import { DOCKERFILE_OVERRIDE_PATH, DOCKERFILE_SERVICE, renderDockerfileOverride } from "../lib/dockerfile-build";
import { imagePin } from "../lib/image-pins";
import { observeJob } from "../lib/metrics";
import { NO_SECRETS, type Redactor } from "../lib/redact";
import { withRetries } from "../lib/retry";
import { stopWaitNote } from "../lib/stop-grace";
import { recordAudit } from "./audit";
import { type BuiltImage, jobPushTargets, pushBuiltImages } from "./builds";
import { appendSystemLines, type DeploymentOptions, deploymentOptions, describeAction, failedChecks, type Rendered, runPreflight, skipFollowers, UP_ACTIONS } from "./deployments";
import { callAgent, openAgentStream } from "./hosts";
import { projectOwner } from "./project-owner";
import { registryAuthsFor, teamRegistries } from "./registries";
import { buildProject, redactedEnv, type RedactedEnvEntry, redactorFor, revisionContent, revisionTreeSelect } from "./stack-project";
import { ensureTreeOnHost } from "./stack-tree";
import { publishEvent } from "./webhooks";

/** Why a runner stopped a job: the user cancelled, the runner is shutting down, or it lost its database session. */
export type AbortKind = "cancel" | "shutdown" | "lost";

export class JobAbort extends Error {
  override readonly name = "JobAbort";
  constructor(readonly kind: AbortKind) {
    super(`job stopped: ${kind}`);
  }
}

// Stored lines are flushed in batches of up to this many; the agent stream is
// not read further while this many wait, so a slow database slows compose's
// output instead of growing memory.
const FLUSH_BATCH = 500;
const MAX_PENDING_LINES = 5_000;

/** Appends a job's output in order, in batches, and wakes its readers after each batch. */
class OutputSink {
  private pending: { seq: number; stream: string; text: string; at: Date }[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  // A job runs once (a lost run is failed, never retried), so its output starts at 0.
  private nextSeq = 0;

  private secrets: Redactor = NO_SECRETS;

  constructor(
    private readonly deps: WharfDeps,
    private readonly deploymentId: string,
  ) {}

  /** The revision's redactor, for every line from now on (known once the revision is opened). */
  redact(redactor: Redactor): void {
    this.secrets = redactor;
  }

  get redactor(): Redactor {
    return this.secrets;
  }

  redacted(text: string): string {
    return this.secrets.text(text);
  }

  push(stream: string, text: string, at = new Date()): void {
    this.pending.push({ seq: this.nextSeq++, stream, text: this.redacted(text), at });
    this.flushing ??= this.flushAll();
  }

  /** Waits while too many lines are pending. */
  async backpressure(): Promise<void> {
    while (this.pending.length >= MAX_PENDING_LINES && this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private async flushAll(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, FLUSH_BATCH);
        await this.deps.db.deploymentLog.createMany({ data: batch.map((line) => ({ deploymentId: this.deploymentId, ...line })) });
        this.deps.jobs.notify(this.deploymentId);
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
    } finally {
      this.flushing = null;
    }
  }
}

interface Step {
  action: ComposeAction;
  options: NonNullable<ComposeRunParams["options"]>;
}

/** The compose commands of an action, in order. */
export function stepsFor(action: DeploymentAction, options: DeploymentOptions): Step[] {
  const services = options.services ? { services: options.services } : {};
  switch (action) {
    case "DEPLOY":
    case "ROLLBACK":
      return [{ action: "up", options: {} }];
    case "REDEPLOY":
      // Every container is replaced in place: networks and volumes stay, as does whatever runs until its successor starts.
      return [...(options.pull ? [{ action: "pull" as const, options: {} }] : []), { action: "up", options: { forceRecreate: true } }];
    case "DOWN":
      // Orphans too: containers of services an earlier revision had belong to the stack as well.
      return [{ action: "down", options: { removeOrphans: true, ...(options.volumes ? { volumes: true } : {}) } }];
    case "STOP":
      return [{ action: "stop", options: services }];
    case "RESTART":
      return [{ action: "restart", options: services }];
    case "PULL":
      return [{ action: "pull", options: services }];
    case "BUILD":
    case "BUILD_PUSH":
    case "BUILD_FILE": {
      const built = action === "BUILD_FILE" ? { services: [DOCKERFILE_SERVICE] } : services;
      return [{ action: "build", options: { ...built, ...(options.noCache ? { noCache: true } : {}), ...(options.pull ? { pull: true } : {}) } }];
    }
  }
}

/** Steps that stop containers, each waiting up to its stop_grace_period. */
const STOPPING_STEPS: string[] = ["stop", "down", "restart"];

interface Outcome {
  status: Exclude<DeploymentStatus, "QUEUED" | "RUNNING">;
  reason: string | null;
  error: string | null;
  exitCode: number | null;
}

function abortOutcome(kind: AbortKind, hostName: string): Outcome {
  switch (kind) {
    case "cancel":
      return { status: "CANCELLED", reason: "CANCELLED", error: `Cancelled while compose ran: the stack may be partly changed on ${hostName}.`, exitCode: null };
    case "shutdown":
      return { status: "FAILED", reason: "CONTROL_PLANE_STOPPED", error: `The control plane stopped while this job ran; check the state of ${hostName} and redeploy.`, exitCode: null };
    case "lost":
      return { status: "FAILED", reason: "RUNNER_LOST", error: `The job runner lost its database session while this job ran; check the state of ${hostName} and redeploy.`, exitCode: null };
  }
}

function abortKind(signal: AbortSignal): AbortKind | null {
  if (!signal.aborted) return null;
  return signal.reason instanceof JobAbort ? signal.reason.kind : "shutdown";
}

// After a transport failure mid-run (the agent or the SSH connection died),
// the job keeps reaching the agent again for this long before it gives up on
// following compose; the agent is restarted by the first call that finds it gone.
const REATTACH_WINDOW_MS = 60_000;
const REATTACH_FIRST_DELAY_MS = 250;
const REATTACH_MAX_DELAY_MS = 5_000;

/** A failure the agent itself reported (as opposed to a lost connection); its INTERNAL may be a cut stream. */
function answeredByAgent(error: unknown): boolean {
  return error instanceof WharfError && error.reason !== "INTERNAL" && agentErrorCode.safeParse(error.reason).success;
}

function exitOutcome(host: Host, step: Step, frame: Extract<ComposeRunData, { kind: "exit" }>, progress: BuildProgress | undefined): Outcome | null {
  if (frame.exitCode === 0) return null;
  const failedStep = progress?.failure();
  if (failedStep) {
    return { status: "FAILED", reason: "BUILD_FAILED", error: `Build step [${failedStep.step}] ${failedStep.instruction} failed on ${host.name}: ${failedStep.error}`, exitCode: frame.exitCode };
  }
  const message = frame.message ?? (frame.signal ? `compose was stopped by ${frame.signal}` : `compose exited with code ${frame.exitCode ?? "?"}`);
  return { status: "FAILED", reason: "COMPOSE_FAILED", error: `compose ${step.action} failed on ${host.name}: ${message}`, exitCode: frame.exitCode };
}

/**
 * Runs one compose command and records its output. Compose runs detached on
 * the host (it outlives the agent), so when the stream breaks the job reaches
 * the agent again and re-attaches from the last line it stored, and the step
 * ends with compose's own result. When the run cannot be followed any more,
 * the step fails saying what state each service is in.
 */
interface StepRun {
  project: ComposeRunParams["project"];
  runId: string;
  /** Ask for the images the containers run with the exit frame (the last up of a deploy). */
  imageDigests: boolean;
  /** Set from the exit frame when it carried them. */
  images?: ComposeServiceImage[];
  /** Logins for the steps that pull or build, sent with each such run only. */
  registryAuths: RegistryAuth[];
  /** A build step's progress, read from its output as it arrives. */
  progress?: BuildProgress;
}

async function runStep(deps: WharfDeps, host: Host, step: Step, run: StepRun, sink: OutputSink, signal: AbortSignal): Promise<Outcome | null> {
  const name = run.project.name;
  let received = 0;
  // attach: follow the run id rather than start it; confirmed: the agent answered for this run, so compose started.
  let attach = false;
  let confirmed = false;
  let firstFailure: unknown = null;
  let brokenAt: number | null = null;
  let delay = REATTACH_FIRST_DELAY_MS;
  for (;;) {
    try {
      const frames = attach
        ? await openAgentStream(deps, host, "composeAttach", { name, runId: run.runId, fromLine: received }, { signal })
        : // The agent answers once it holds the project: it may first wait for another job there.
          await openAgentStream(
              deps,
              host,
              "composeRun",
              {
                project: run.project,
                action: step.action,
                runId: run.runId,
                options: step.options,
                ...(run.imageDigests ? { imageDigests: true } : {}),
                ...(run.registryAuths.length > 0 && REGISTRY_ACTIONS.includes(step.action) ? { registryAuths: run.registryAuths } : {}),
              },
              { signal, timeoutMs: PROJECT_CALL_TIMEOUT_MS },
            );
      attach = true;
      confirmed = true;
      for await (const frame of frames) {
        if (frame.kind === "exit") {
          if (frame.images) run.images = frame.images;
          return exitOutcome(host, step, frame, run.progress);
        }
        received++;
        brokenAt = null;
        run.progress?.observe(frame.line);
        sink.push(frame.stream, frame.line, new Date(frame.at));
        await sink.backpressure();
      }
      throw new WharfError("INTERNAL", `compose ${step.action} on ${host.name} ended without an exit status.`);
    } catch (error) {
      if (signal.aborted) throw error;
      if (answeredByAgent(error)) {
        // Refused before compose started (busy, invalid files), or the start was lost with the connection: nothing changed.
        if (!confirmed) throw attach ? firstFailure : error;
        return runLost(deps, host, step, run.project, error);
      }
      firstFailure ??= error;
      if (brokenAt === null) {
        brokenAt = Date.now();
        sink.push("wharf", `Lost the connection to the agent on ${host.name} (${errorMessage(error)}); compose goes on there, reconnecting to follow it…`);
      } else if (Date.now() - brokenAt > REATTACH_WINDOW_MS) {
        if (!confirmed) throw firstFailure;
        return runLost(deps, host, step, run.project, error);
      }
      attach = true;
      // The next call reaches the agent afresh, restarting it if it is gone.
      deps.agents.drop(host.id);
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, REATTACH_MAX_DELAY_MS);
    }
  }
}

/** The step's outcome when its compose run can no longer be followed: the stack may be anywhere between two revisions. */
async function runLost(deps: WharfDeps, host: Host, step: Step, project: ComposeRunParams["project"], error: unknown): Promise<Outcome> {
  let states: string;
  try {
    const { services } = await callAgent(deps, host, "composePs", { name: project.name, ...(project.owner ? { owner: project.owner } : {}) });
    states = services.length === 0 ? "no service has a container" : services.map((service) => `${service.service} ${service.containers.map(describeContainer).join(", ")}`).join("; ");
  } catch (psError) {
    states = `their states could not be read (${errorMessage(psError)})`;
  }
  return {
    status: "FAILED",
    reason: "COMPOSE_LOST",
    error: `compose ${step.action} on ${host.name} could not be followed to its end (${errorMessage(error)}). The stack may be partly changed: ${states}. Redeploy to bring every service to this revision.`,
    exitCode: null,
  };
}

function describeContainer(container: ComposeContainer): string {
  return container.health === null ? container.state : `${container.state} (${container.health})`;
}

/** Asks the agent to stop the job's compose run; the job ends as the abort says whatever the answer. */
async function cancelRun(deps: WharfDeps, host: Host, name: string, runId: string, sink: OutputSink): Promise<void> {
  try {
    await callAgent(deps, host, "composeCancel", { name, runId });
  } catch (error) {
    sink.push("wharf", `Could not stop compose on ${host.name} (${errorMessage(error)}): it may still be running.`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface JobOptions {
  /** Preflight results older than this are checked again before a deploy (host-by-host runs wait). */
  preflightMaxAgeMs: number;
}

/**
 * Runs one claimed job to its end and records the outcome, unless the job was
 * meanwhile finished by someone else (a recovery sweep after losing the
 * runner's session): updates require status RUNNING and this runner.
 */
interface Recorded {
  limitsOverride?: string | null;
  envRedacted?: RedactedEnvEntry[];
  checks?: PreflightCheck[];
  /** From a preflight run by the job itself (the one at request time was stale). */
  rendered?: Rendered | null;
  imageDigests?: ComposeServiceImage[];
  builtImages?: BuiltImage[];
}

/** Runs the job's steps; what it learns on the way (checks, what ran) goes into `recorded`, kept whatever the outcome. */
async function execute(deps: WharfDeps, job: ClaimedJob, sink: OutputSink, signal: AbortSignal, options: JobOptions, recorded: Recorded): Promise<Outcome> {
  // Cancelled before it was claimed, with the notification lost.
  if (signal.aborted) throw signal.reason;
  const content = revisionContent(deps, job.revision);
  sink.redact(redactorFor(content));
  const pins = z.array(imagePin).parse(job.imagePins ?? []);
  const actionOptions = deploymentOptions.parse(job.options);
  // Which services a step acts on does not change whether it reaches a registry: the steps before narrowing say it.
  const reachesRegistry = stepsFor(job.action, actionOptions).some((step) => REGISTRY_ACTIONS.includes(step.action));
  // Independent reads, at once. One read of the team's registries serves the logins and a build and push's plan;
  // what the logins have to say is said in its place below.
  const registryNotes: string[] = [];
  const registries = reachesRegistry || job.action === "BUILD_PUSH" ? teamRegistries(deps, job.stack.teamId) : Promise.resolve([]);
  const [owner, teamRegistryRows, registryAuths] = await Promise.all([
    projectOwner(deps, job.stack.id, job.host.id),
    registries,
    reachesRegistry ? registries.then((rows) => registryAuthsFor(deps, rows, content.files.map((file) => file.content), (message) => registryNotes.push(message))) : [],
  ]);
  const { project, limitsOverride } = buildProject(job.stack.name, content, job.overlay, pins, owner);
  recorded.limitsOverride = limitsOverride;
  recorded.envRedacted = redactedEnv(content);
  const preflightStale = job.preflightAt === null || Date.now() - job.preflightAt.getTime() > options.preflightMaxAgeMs;
  if (UP_ACTIONS.includes(job.action) && preflightStale) {
    sink.push("wharf", `Checking that ${job.host.name} can run it (preflight)…`);
    const result = await runPreflight(deps, { teamId: job.stack.teamId, stack: job.stack, userId: job.requestedById }, { host: job.host, content, overlay: job.overlay, pins });
    recorded.checks = result.checks;
    recorded.rendered = result.rendered;
    for (const check of failedChecks(result.checks)) sink.push("wharf", check.message);
    if (result.refusal) return { status: "FAILED", reason: result.refusal.reason, error: result.refusal.message, exitCode: null };
  }
  // Build and push: the services whose image goes to one of the team's registries (the others are said to be skipped).
  const pushTargets = job.action === "BUILD_PUSH" ? jobPushTargets(teamRegistryRows, content, actionOptions.services, (line) => sink.push("wharf", line)) : [];
  if (job.action === "BUILD_PUSH" && pushTargets.length === 0) {
    return { status: "FAILED", reason: "NOTHING_TO_PUSH", error: `No service of ${job.stack.name} can be built and pushed (see above).`, exitCode: null };
  }
  const buildServices = pushTargets.length > 0 ? pushTargets.map((target) => target.service) : actionOptions.services;
  const steps = stepsFor(job.action, { ...actionOptions, ...(buildServices ? { services: buildServices } : {}) });
  const buildOptions = { target: actionOptions.target, args: actionOptions.buildArgs };
  if (job.action === "BUILD" || job.action === "BUILD_PUSH") {
    const buildOverride = renderBuildOverride(buildServices ?? servicesWithBuild(content.files), buildOptions);
    if (buildOverride !== null) project.overrideFiles = [...(project.overrideFiles ?? []), { path: BUILD_OVERRIDE_PATH, content: buildOverride }];
  }
  if (job.action === "BUILD_FILE" && actionOptions.dockerfile !== undefined && actionOptions.tag !== undefined) {
    const override = renderDockerfileOverride({ dockerfile: actionOptions.dockerfile, context: actionOptions.context ?? ".", tag: actionOptions.tag, ...buildOptions });
    project.overrideFiles = [...(project.overrideFiles ?? []), { path: DOCKERFILE_OVERRIDE_PATH, content: override }];
  }
  if (steps.length > 0 && content.tree.files.length > 0) {
    const sent = await ensureTreeOnHost(deps, job.host, project.name, content.tree);
    sink.push("wharf", `The stack's folder has ${content.tree.files.length} file(s) besides its compose files: ${sent.sent === 0 ? `${job.host.name} already holds all of them` : `sent ${sent.sent} changed (${formatSize(sent.bytes)})`}.`);
  }
  const recordsImages = UP_ACTIONS.includes(job.action);
  for (const note of registryNotes) sink.push("wharf", note);
  let images: ComposeServiceImage[] | undefined;
  const written: { id: string; names: string[] }[] = [];
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) break;
    sink.push("wharf", `Running compose ${step.action}${step.options.services ? ` ${step.options.services.join(" ")}` : ""}${step.options.volumes ? " (with volumes)" : ""}…`);
    const stopWait = STOPPING_STEPS.includes(step.action) ? stopWaitNote(content.files, step.options.services) : null;
    if (stopWait) sink.push("wharf", stopWait);
    // A job runs once, so its id and the step's place name the run uniquely on the host.
    const runId = `${job.id}-${index}`;
    const run: StepRun = { project, runId, imageDigests: recordsImages && index === steps.length - 1 && step.action === "up", registryAuths, ...(step.action === "build" ? { progress: new BuildProgress() } : {}) };
    try {
      const failed = await runStep(deps, job.host, step, run, sink, signal);
      if (failed) return failed;
      const built = run.progress?.summary();
      if (built) sink.push("wharf", built);
      for (const image of run.progress?.builtImages() ?? []) sink.push("wharf", `Built ${image.id}${image.names.length > 0 ? ` as ${image.names.join(", ")}` : ""}.`);
      if (run.progress) written.push(...run.progress.builtImages());
      images = run.images;
    } catch (error) {
      // The runner stopped the job (a cancel, a shutdown, a lost session): compose outlives the stream, so stop it on the host.
      if (abortKind(signal) !== null) await cancelRun(deps, job.host, project.name, runId, sink);
      throw error;
    }
  }
  if (steps.some((step) => step.action === "build")) recorded.builtImages = written.map((image) => ({ ...image, service: null, pushed: null }));
  if (pushTargets.length > 0 && !signal.aborted) {
    const pushed = await pushBuiltImages(deps, job, pushTargets, written, actionOptions, (line) => sink.push("wharf", line), signal);
    recorded.builtImages = pushed.images;
    const [first] = pushed.failures;
    if (first) return { status: "FAILED", reason: first.reason ?? "PUSH_FAILED", error: pushed.failures.map((failure) => failure.message).join(" "), exitCode: 0 };
  }
  const aborted = abortKind(signal);
  if (aborted) return abortOutcome(aborted, job.host.name);
  // The merged config that ran was recorded by the preflight; the images the containers were created from only exist now.
  // Read with the last step's exit when the agent could; else (an older agent, a re-attached run) asked for now.
  if (recordsImages) recorded.imageDigests = images ?? (await callAgent(deps, job.host, "composeImageDigests", { name: project.name, owner })).images;
  return { status: "SUCCEEDED", reason: null, error: null, exitCode: 0 };
}

type ClaimedJob = Awaited<ReturnType<typeof loadJob>>;

function loadJob(deps: WharfDeps, deploymentId: string) {
  return deps.db.deployment.findUniqueOrThrow({ where: { id: deploymentId }, include: { stack: true, host: true, revision: { include: revisionTreeSelect } } });
}

/**
 * Runs one claimed job to its end and records the outcome, unless the job was
 * meanwhile finished by someone else (a recovery sweep after losing the
 * runner's session): updates require status RUNNING and this runner.
 */
export async function runJob(deps: WharfDeps, deploymentId: string, runnerId: string, signal: AbortSignal, options: JobOptions): Promise<void> {
  const job = await loadJob(deps, deploymentId);
  const sink = new OutputSink(deps, job.id);
  const started = Date.now();
  const what = `${job.action.toLowerCase()} of ${job.stack.name} revision ${job.revision.number} on ${job.host.name}`;
  const recorded: Recorded = {};
  sink.push("wharf", `Starting the ${what}.`);
  const event = { deploymentId: job.id, action: job.action.toLowerCase(), stack: job.stack.name, stackId: job.stackId, revision: job.revision.number, host: job.host.name, hostId: job.hostId };
  void publishEvent(deps, job.stack.teamId, "deployment.started", event);
  let outcome: Outcome;
  try {
    outcome = await execute(deps, job, sink, signal, options, recorded);
  } catch (error) {
    const aborted = abortKind(signal);
    if (aborted) outcome = abortOutcome(aborted, job.host.name);
    else {
      const wharfError = error instanceof WharfError ? error : null;
      outcome = { status: "FAILED", reason: wharfError?.reason ?? "INTERNAL", error: sink.redacted(error instanceof Error ? error.message : String(error)), exitCode: null };
      if (!wharfError) deps.log.error(sink.redacted(`Deployment ${job.id} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    }
  }
  // Compose's own messages (a failed step, a refusal) quote the values they reject.
  if (outcome.error !== null) outcome.error = sink.redacted(outcome.error);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  sink.push("wharf", outcome.status === "SUCCEEDED" ? `Done in ${seconds} s.` : `${outcome.status === "CANCELLED" ? "Cancelled" : "Failed"} after ${seconds} s: ${outcome.error ?? ""}`);
  await sink.close().catch((error: unknown) => deps.log.error(`Could not store the output of deployment ${job.id}: ${String(error)}`));
  // Retried while this runner still holds the job: a failed write would otherwise leave it to a
  // sweep, which reports "control plane restarted" even when compose succeeded.
  const onRetry = (error: unknown) => deps.log.warn(sink.redacted(`Recording the end of deployment ${job.id} failed (${String(error)}); retrying`));
  await withRetries(recordOutcome, { onRetry });
  observeJob(job.action, outcome.status, (Date.now() - started) / 1000);
  deps.jobs.notify(job.id);
  if (outcome.status !== "CANCELLED") {
    void publishEvent(deps, job.stack.teamId, outcome.status === "SUCCEEDED" ? "deployment.succeeded" : "deployment.failed", { ...event, reason: outcome.reason, error: outcome.error });
  }

  function recordOutcome() {
    return deps.db.$transaction(async (tx) => {
      const updated = await tx.deployment.updateMany({
        where: { id: job.id, status: "RUNNING", runnerId },
        data: {
          status: outcome.status,
          reason: outcome.reason,
          error: outcome.error,
          exitCode: outcome.exitCode,
          finishedAt: new Date(),
          ...(recorded.limitsOverride !== undefined ? { limitsOverride: recorded.limitsOverride } : {}),
          ...(recorded.envRedacted ? { envRedacted: recorded.envRedacted } : {}),
          ...(recorded.checks ? { preflight: recorded.checks, preflightAt: new Date() } : {}),
          ...recorded.rendered,
          ...(recorded.imageDigests ? { imageDigests: recorded.imageDigests } : {}),
          ...(recorded.builtImages ? { builtImages: recorded.builtImages } : {}),
        },
      });
      if (updated.count === 0) return;
      if (outcome.status !== "SUCCEEDED") await skipFollowers(tx, job.id, `Skipped: the ${what} did not succeed.`);
      await recordAudit(tx, {
        teamId: job.stack.teamId,
        actor: { id: null, label: "wharf" },
        action: "deployment.finish",
        targetType: "deployment",
        targetId: job.id,
        summary: `${describeAction(job.action)} of ${job.stack.name} revision ${job.revision.number} on ${job.host.name} ${outcome.status.toLowerCase()} in ${seconds} s${outcome.error ? `: ${outcome.error}` : ""}`,
        data: { requestedBy: job.requestedByLabel, status: outcome.status, reason: outcome.reason },
        redactor: sink.redactor,
      });
    });
  }
}

/** A job left RUNNING by a runner that is gone: failed, with a line saying so. */
export async function failOrphan(deps: WharfDeps, deploymentId: string): Promise<boolean> {
  const message = "The control plane restarted while this job ran; check the host's state and redeploy.";
  const done = await deps.db.$transaction(async (tx) => {
    const updated = await tx.deployment.updateMany({
      where: { id: deploymentId, status: "RUNNING" },
      data: { status: "FAILED", reason: "CONTROL_PLANE_RESTARTED", error: message, finishedAt: new Date() },
    });
    if (updated.count === 0) return false;
    const job = await tx.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { action: true, stack: { select: { name: true, teamId: true } }, host: { select: { name: true } } } });
    await appendSystemLines(tx, deploymentId, [message]);
    await skipFollowers(tx, deploymentId, `Skipped: the ${job.action.toLowerCase()} of ${job.stack.name} on ${job.host.name} did not finish.`);
    await recordAudit(tx, {
      teamId: job.stack.teamId,
      actor: { id: null, label: "wharf" },
      action: "deployment.finish",
      targetType: "deployment",
      targetId: deploymentId,
      summary: `${describeAction(job.action)} of ${job.stack.name} on ${job.host.name} failed: ${message}`,
      data: { status: "FAILED", reason: "CONTROL_PLANE_RESTARTED" },
    });
    return true;
  });
  if (done) deps.jobs.notify(deploymentId);
  return done;
}
