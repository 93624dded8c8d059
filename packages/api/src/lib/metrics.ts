import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Wharf's Prometheus metrics. Events are observed where they happen (a job's
 * end, an agent call, a log stream); states are read at scrape time (hosts by
 * status from the database, SSH reconnects from the pool). One registry per
 * process, kept on globalThis: Next.js may load this module twice.
 */
function createMetrics() {
  const registry = new Registry();
  const jobs = new Counter({ name: "wharf_jobs_total", help: "Jobs finished by this process, by action and result", labelNames: ["action", "result"], registers: [registry] });
  const jobSeconds = new Histogram({
    name: "wharf_job_duration_seconds",
    help: "How long jobs ran, by action and result",
    labelNames: ["action", "result"],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const agentCallSeconds = new Histogram({
    name: "wharf_agent_call_duration_seconds",
    help: "Latency of calls to host agents, by method and outcome",
    labelNames: ["method", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const logStreams = new Gauge({ name: "wharf_log_streams_open", help: "Container log streams open now", registers: [registry] });
  return { registry, jobs, jobSeconds, agentCallSeconds, logStreams };
}

type Metrics = ReturnType<typeof createMetrics>;
const KEY = Symbol.for("wharf.metrics");
const holder = globalThis as { [KEY]?: Metrics };
export const metrics: Metrics = (holder[KEY] ??= createMetrics());

export function observeJob(action: string, result: string, seconds: number): void {
  metrics.jobs.inc({ action, result });
  metrics.jobSeconds.observe({ action, result }, seconds);
}

export async function timeAgentCall<T>(method: string, call: () => Promise<T>): Promise<T> {
  const end = metrics.agentCallSeconds.startTimer({ method });
  try {
    const result = await call();
    end({ outcome: "ok" });
    return result;
  } catch (error) {
    end({ outcome: "error" });
    throw error;
  }
}

/** Counts a log stream as open while it is iterated. */
export async function* countedLogStream<T>(source: AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  metrics.logStreams.inc();
  try {
    yield* source;
  } finally {
    metrics.logStreams.dec();
  }
}
