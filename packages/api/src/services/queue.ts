import PgBoss from "pg-boss";

import type { Logger } from "../deps";

/**
 * Wharf's one background queue for work that is not a deployment (those keep
 * their own table, see deployment-runner.ts): webhook deliveries and chat
 * replies. pg-boss keeps the jobs in Postgres (schema `pgboss`), so they
 * survive a restart and every replica shares them; retries with exponential
 * backoff are pg-boss's own.
 *
 * pg-boss 10 is the last major release that runs on Node 20 (11 and 12 need
 * Node 22), which is what Wharf supports.
 */
export const QUEUE_NAMES = ["webhook-event", "webhook-deliver", "chat-reply"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueOptions {
  /** First retry delay; each further retry waits about twice as long. */
  retryDelaySeconds?: number;
  /** How often an idle worker looks for jobs (pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds?: number;
}

export type QueueHandler<T> = (data: T, job: { id: string; retryCount: number; retryLimit: number }) => Promise<void>;

/** Deliveries keep trying for more than a day (30 s doubling 12 times), so a target that fails all day is seen failing. */
const RETRIES: Record<QueueName, { retryLimit: number; retryBackoff: boolean }> = {
  "webhook-event": { retryLimit: 3, retryBackoff: true },
  "webhook-deliver": { retryLimit: 12, retryBackoff: true },
  // A command (deploy, approve) is not idempotent: a failed reply is not worth running it twice.
  "chat-reply": { retryLimit: 0, retryBackoff: false },
};

export class Queue {
  private readonly boss: PgBoss;
  private started: Promise<void> | null = null;
  private stopped = false;
  private readonly retryDelaySeconds: number;
  private readonly pollingIntervalSeconds: number;

  constructor(
    databaseUrl: string,
    private readonly log: Logger,
    options: QueueOptions = {},
  ) {
    this.retryDelaySeconds = options.retryDelaySeconds ?? 30;
    this.pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
    this.boss = new PgBoss({ connectionString: databaseUrl, max: 4, application_name: "wharf-queue" });
    this.boss.on("error", (error: Error) => this.log.error(`Queue: ${error.message}`));
  }

  /** Starts pg-boss (creating or migrating its schema) and the queues, once. */
  private ready(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("The queue is stopped."));
    this.started ??= (async () => {
      await this.boss.start();
      for (const name of QUEUE_NAMES) {
        await this.boss.createQueue(name, { name, retryDelay: this.retryDelaySeconds, ...RETRIES[name] });
      }
    })();
    return this.started;
  }

  async send<T extends object>(name: QueueName, data: T, options: { startAfterSeconds?: number } = {}): Promise<string | null> {
    await this.ready();
    return this.boss.send(name, data, {
      retryDelay: this.retryDelaySeconds,
      ...RETRIES[name],
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    });
  }

  /** Runs `handler` for each job; a throw schedules the job's next retry (until its retry limit). */
  async work<T extends object>(name: QueueName, handler: QueueHandler<T>): Promise<void> {
    await this.ready();
    await this.boss.work<T>(name, { pollingIntervalSeconds: this.pollingIntervalSeconds, batchSize: 1, includeMetadata: true }, async (jobs) => {
      for (const job of jobs) await handler(job.data, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
    });
  }

  /** Lets running handlers finish (up to `graceMs`), then closes the connections. */
  async stop(graceMs = 8_000): Promise<void> {
    this.stopped = true;
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: graceMs });
  }
}
