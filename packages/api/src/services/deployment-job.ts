import type { ComposeAction, ComposeRunParams, ComposeServiceImage, PreflightCheck } from "@wharf/agent-protocol";
import type { DeploymentAction, DeploymentStatus, Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { redactSecrets } from "../lib/compose-files";
import { imagePin } from "../lib/image-pins";
import { stopWaitNote } from "../lib/stop-grace";
import { recordAudit } from "./audit";
import { appendSystemLines, type DeploymentOptions, deploymentOptions, describeAction, failedChecks, type Rendered, runPreflight, skipFollowers, UP_ACTIONS } from "./deployments";
import { callAgent, openAgentStream } from "./hosts";
import { buildProject, redactedEnv, type RedactedEnvEntry, revisionContent, secretValues } from "./stack-project";

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

  private secrets: string[] = [];

  constructor(
    private readonly deps: WharfDeps,
    private readonly deploymentId: string,
  ) {}

  /** Secret values to hide from every line from now on (known once the revision is opened). */
  redact(secrets: string[]): void {
    this.secrets = secrets;
  }

  redacted(text: string): string {
    return redactSecrets(text, this.secrets);
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
      return [{ action: "build", options: services }];
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

async function runStep(deps: WharfDeps, host: Host, step: Step, project: ComposeRunParams["project"], sink: OutputSink, signal: AbortSignal): Promise<Outcome | null> {
  const frames = await openAgentStream(deps, host, "composeRun", { project, action: step.action, options: step.options }, { signal });
  for await (const frame of frames) {
    if (frame.kind === "output") {
      sink.push(frame.stream, frame.line, new Date(frame.at));
      await sink.backpressure();
      continue;
    }
    if (frame.exitCode === 0) return null;
    const message = frame.message ?? (frame.signal ? `compose was stopped by ${frame.signal}` : `compose exited with code ${frame.exitCode ?? "?"}`);
    return { status: "FAILED", reason: "COMPOSE_FAILED", error: `compose ${step.action} failed on ${host.name}: ${message}`, exitCode: frame.exitCode };
  }
  throw new WharfError("INTERNAL", `compose ${step.action} on ${host.name} ended without an exit status.`);
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
}

/** Runs the job's steps; what it learns on the way (checks, what ran) goes into `recorded`, kept whatever the outcome. */
async function execute(deps: WharfDeps, job: ClaimedJob, sink: OutputSink, signal: AbortSignal, options: JobOptions, recorded: Recorded): Promise<Outcome> {
  const content = revisionContent(deps, job.revision);
  sink.redact(secretValues(content));
  const pins = z.array(imagePin).parse(job.imagePins ?? []);
  const { project, limitsOverride } = buildProject(job.stack.name, content, job.overlay, pins);
  recorded.limitsOverride = limitsOverride;
  recorded.envRedacted = redactedEnv(content);
  const preflightStale = job.preflightAt === null || Date.now() - job.preflightAt.getTime() > options.preflightMaxAgeMs;
  if (UP_ACTIONS.includes(job.action) && preflightStale) {
    sink.push("wharf", `Checking that ${job.host.name} can run it (preflight)…`);
    const result = await runPreflight(deps, job.stack.name, { host: job.host, revision: job.revision, content, overlay: job.overlay, checks: null, rendered: null, pins });
    recorded.checks = result.checks;
    recorded.rendered = result.rendered;
    for (const check of failedChecks(result.checks)) sink.push("wharf", check.message);
    if (result.refusal) return { status: "FAILED", reason: result.refusal.reason, error: result.refusal.message, exitCode: null };
  }
  for (const step of stepsFor(job.action, deploymentOptions.parse(job.options))) {
    if (signal.aborted) break;
    sink.push("wharf", `Running compose ${step.action}${step.options.services ? ` ${step.options.services.join(" ")}` : ""}${step.options.volumes ? " (with volumes)" : ""}…`);
    const stopWait = STOPPING_STEPS.includes(step.action) ? stopWaitNote(content.files, step.options.services) : null;
    if (stopWait) sink.push("wharf", stopWait);
    const failed = await runStep(deps, job.host, step, project, sink, signal);
    if (failed) return failed;
  }
  const aborted = abortKind(signal);
  if (aborted) return abortOutcome(aborted, job.host.name);
  // The merged config that ran was recorded by the preflight; the images the containers were created from only exist now.
  if (UP_ACTIONS.includes(job.action)) recorded.imageDigests = (await callAgent(deps, job.host, "composeImageDigests", { name: project.name })).images;
  return { status: "SUCCEEDED", reason: null, error: null, exitCode: 0 };
}

type ClaimedJob = Awaited<ReturnType<typeof loadJob>>;

function loadJob(deps: WharfDeps, deploymentId: string) {
  return deps.db.deployment.findUniqueOrThrow({ where: { id: deploymentId }, include: { stack: true, host: true, revision: true } });
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
  let outcome: Outcome;
  try {
    outcome = await execute(deps, job, sink, signal, options, recorded);
  } catch (error) {
    const aborted = abortKind(signal);
    if (aborted) outcome = abortOutcome(aborted, job.host.name);
    else {
      const wharfError = error instanceof WharfError ? error : null;
      outcome = { status: "FAILED", reason: wharfError?.reason ?? "INTERNAL", error: sink.redacted(error instanceof Error ? error.message : String(error)), exitCode: null };
      if (!wharfError) deps.log.error(`Deployment ${job.id} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  sink.push("wharf", outcome.status === "SUCCEEDED" ? `Done in ${seconds} s.` : `${outcome.status === "CANCELLED" ? "Cancelled" : "Failed"} after ${seconds} s: ${outcome.error ?? ""}`);
  await sink.close().catch((error: unknown) => deps.log.error(`Could not store the output of deployment ${job.id}: ${String(error)}`));
  await deps.db.$transaction(async (tx) => {
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
    });
  });
  deps.jobs.notify(job.id);
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
