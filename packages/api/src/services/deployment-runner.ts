import { randomUUID } from "node:crypto";

import pg from "pg";

import type { WharfDeps } from "../deps";
import { withAgentUse } from "./agents";
import { expireApprovalRequests } from "./approvals";
import { failOrphan, JobAbort, runJob } from "./deployment-job";

export interface RunnerOptions {
  /** Jobs run at once by this runner (on different stacks or hosts). */
  concurrency?: number;
  /** Fallback poll for queued jobs, when a notification was missed. */
  pollMs?: number;
  /** How often running jobs are checked for a dead owner. */
  sweepMs?: number;
  preflightMaxAgeMs?: number;
}

export interface DeploymentRunner {
  readonly id: string;
  /**
   * Stops claiming, gives running jobs `graceMs` to finish, then stops the
   * rest (they end FAILED, saying the control plane stopped) and disconnects.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const CHANNEL_QUEUED = "wharf_deployments";
const CHANNEL_CANCEL = "wharf_deployment_cancel";
const RECONNECT_MAX_MS = 30_000;
/** A dead peer (host gone, connection dropped by a middlebox) is noticed in about this long, not hours later. */
const KEEPALIVE_DELAY_MS = 10_000;
/** No statement of the runner waits longer: a stuck query ends with an error instead of stalling every claim. */
const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * The durable job runner: the Deployment table is the queue.
 *
 * Claiming takes the oldest runnable QUEUED row with `FOR UPDATE SKIP LOCKED`
 * (so runners in several processes never take the same job) and, in the same
 * transaction, a session-level advisory lock on the job id held on this
 * runner's own connection for as long as the job runs. That lock is the
 * liveness proof: when the process dies its connection closes and Postgres
 * drops the lock, so a RUNNING job whose lock can be taken has no runner.
 * Each runner sweeps for those on start and then periodically, and fails them
 * with a message saying the control plane restarted: never stuck.
 *
 * New jobs and cancels arrive by LISTEN/NOTIFY on that connection, with a
 * slow poll as a fallback. A notification can be lost (sent before the job
 * was registered here, or while the connection was down), so a job's
 * `cancelRequestedAt` is also read when it is claimed and on every sweep.
 */
export function startDeploymentRunner(deps: WharfDeps, options: RunnerOptions = {}): DeploymentRunner {
  const runner = new Runner(deps, {
    concurrency: options.concurrency ?? 8,
    pollMs: options.pollMs ?? 2_000,
    sweepMs: options.sweepMs ?? 10_000,
    preflightMaxAgeMs: options.preflightMaxAgeMs ?? 60_000,
  });
  runner.start();
  return runner;
}

class Runner implements DeploymentRunner {
  readonly id = randomUUID();
  private client: pg.Client | null = null;
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Serializes use of the connection: claims are transactions on it. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private ticking = false;
  private tickAgain = false;
  private timers: NodeJS.Timeout[] = [];
  private reconnectMs = 1_000;

  constructor(
    private readonly deps: WharfDeps,
    private readonly options: Required<RunnerOptions>,
  ) {}

  start(): void {
    this.timers.push(setInterval(() => this.tick(), this.options.pollMs));
    this.timers.push(setInterval(() => void this.sweep(), this.options.sweepMs));
    for (const timer of this.timers) timer.unref();
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.deps.config.databaseUrl,
      application_name: `wharf-runner ${this.id}`,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      connectionTimeoutMillis: STATEMENT_TIMEOUT_MS,
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection closed")));
    client.on("notification", (message) => {
      if (message.channel === CHANNEL_QUEUED) this.tick();
      else if (message.channel === CHANNEL_CANCEL && message.payload) this.active.get(message.payload)?.controller.abort(new JobAbort("cancel"));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL_QUEUED}`);
      await client.query(`LISTEN ${CHANNEL_CANCEL}`);
    } catch (error) {
      this.deps.log.warn(`Deployment runner cannot reach the database (${describe(error)}); retrying in ${this.reconnectMs / 1000} s`);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectMs = 1_000;
    await this.sweep();
    this.tick();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => void this.connect(), this.reconnectMs);
    timer.unref();
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
  }

  /** Without the connection the locks are gone: stop this runner's jobs (they end FAILED) and reconnect. */
  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.stopped) return;
    this.deps.log.error(`Deployment runner lost its database connection (${error.message}); stopping its running jobs`);
    for (const { controller } of this.active.values()) controller.abort(new JobAbort("lost"));
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private exclusive<T>(work: (client: pg.Client) => Promise<T>): Promise<T | null> {
    const run = this.queue.then(async () => {
      const client = this.client;
      return client ? work(client) : null;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Claims and starts jobs until the runner is full or none is runnable. */
  private tick(): void {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    void (async () => {
      try {
        do {
          this.tickAgain = false;
          while (!this.stopped && this.client && this.active.size < this.options.concurrency) {
            if (!(await this.claim())) break;
          }
        } while (this.tickAgain && !this.stopped);
      } catch (error) {
        this.deps.log.error(`Deployment runner could not claim a job: ${describe(error)}`);
      } finally {
        this.ticking = false;
      }
    })();
  }

  private claim(): Promise<boolean> {
    return this.exclusive(async (client) => {
      // One statement, one round trip: the oldest runnable row (host-by-host runs: a job waits until
      // the one before it succeeded), locked against other runners, its advisory lock taken on this
      // connection, and marked running; no row when another runner holds either lock.
      const { rows } = await client.query<{ id: string; cancelRequestedAt: Date | null }>(
        `WITH next AS (
           SELECT d.id FROM "Deployment" d
           WHERE d.status = 'QUEUED'
             AND (d."afterId" IS NULL OR EXISTS (SELECT 1 FROM "Deployment" p WHERE p.id = d."afterId" AND p.status = 'SUCCEEDED'))
           ORDER BY d."createdAt" FOR UPDATE OF d SKIP LOCKED LIMIT 1
         )
         UPDATE "Deployment" d SET status = 'RUNNING', "startedAt" = now() AT TIME ZONE 'UTC', "runnerId" = $1
         FROM next WHERE d.id = next.id AND pg_try_advisory_lock(hashtextextended(next.id, 0))
         RETURNING d.id, d."cancelRequestedAt"`,
        [this.id],
      );
      const claimed = rows[0];
      if (!claimed) return false;
      // Registered before the connection is released, so a sweep on it never takes this job for an orphan.
      this.launch(claimed.id, claimed.cancelRequestedAt != null);
      return true;
    }).then((claimed) => claimed === true);
  }

  private launch(id: string, cancelled: boolean): void {
    const controller = new AbortController();
    if (cancelled) controller.abort(new JobAbort("cancel"));
    // A job may (re)start the agents it deploys to, as the deploy mutation that queued it could.
    const done = withAgentUse("manage", () => runJob(this.deps, id, this.id, controller.signal, { preflightMaxAgeMs: this.options.preflightMaxAgeMs }))
      .catch((error: unknown) => this.deps.log.error(`Deployment ${id} could not be recorded: ${describe(error)}`))
      .finally(() => {
        this.active.delete(id);
        void this.exclusive((client) => client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [id])).catch(() => undefined);
        this.tick();
      });
    this.active.set(id, { controller, done });
  }

  /** Stops this runner's jobs whose cancel was requested (their notification may never have arrived). */
  private async honourCancels(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    const cancelled = await this.deps.db.deployment.findMany({ where: { id: { in: ids }, cancelRequestedAt: { not: null } }, select: { id: true } });
    for (const { id } of cancelled) this.active.get(id)?.controller.abort(new JobAbort("cancel"));
  }

  /** Fails RUNNING jobs whose runner is gone (their advisory lock is free), and honours cancels. */
  private async sweep(): Promise<void> {
    if (!this.client) return;
    try {
      await this.honourCancels();
      const expired = await expireApprovalRequests(this.deps);
      if (expired > 0) this.deps.log.info(`${expired} approval request(s) expired`);
      const running = await this.deps.db.deployment.findMany({ where: { status: "RUNNING" }, select: { id: true } });
      for (const { id } of running) {
        await this.exclusive(async (client) => {
          // Checked inside the queue: a lock taken again by its own session would succeed.
          if (this.active.has(id)) return;
          const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [id]);
          if (!rows[0]?.ok) return;
          try {
            if (await failOrphan(this.deps, id)) this.deps.log.warn(`Deployment ${id} was left running by a control plane that is gone: marked failed`);
          } finally {
            await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [id]);
          }
        });
      }
    } catch (error) {
      this.deps.log.error(`Deployment runner sweep failed: ${describe(error)}`);
    }
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    const jobs = [...this.active.values()];
    const grace = new Promise<void>((resolve) => setTimeout(resolve, options.graceMs ?? 10_000).unref());
    await Promise.race([Promise.all(jobs.map((job) => job.done)), grace]);
    for (const job of this.active.values()) job.controller.abort(new JobAbort("shutdown"));
    await Promise.all([...this.active.values()].map((job) => job.done));
    await this.queue;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
