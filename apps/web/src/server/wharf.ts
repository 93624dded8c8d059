import { closeWharfDeps, createWharfDeps, type Logger, startDeploymentRunner, startHostMonitor, startQueueWorkers, type WharfDeps } from "@wharf/api";

import { env, serverEnv } from "~/env";
import { runShutdownHooks } from "~/server/shutdown-hooks";

const log: Logger = {
  info: (message) => console.info(`[wharf] ${message}`),
  warn: (message) => console.warn(`[wharf] ${message}`),
  error: (message) => console.error(`[wharf] ${message}`),
};

// Cached on globalThis: dev hot reloads and Next's separate bundles (routes,
// pages, instrumentation) must share one DB client, one SSH pool, one monitor
// and one deployment runner per process.
/** Below Docker's default 10 s between SIGTERM and SIGKILL. */
const SHUTDOWN_GRACE_MS = 8_000;

const globalForWharf = globalThis as typeof globalThis & { wharfDeps?: WharfDeps; wharfStarted?: boolean };

/** The process-wide dependencies, created on first use. */
export function getWharf(): WharfDeps {
  if (globalForWharf.wharfDeps) return globalForWharf.wharfDeps;
  const config = serverEnv();
  const deps = createWharfDeps({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    masterKey: config.masterKey,
    agentDistDir: config.agentDistDir,
    publicUrl: config.publicUrl,
    log,
  });
  globalForWharf.wharfDeps = deps;
  return deps;
}

/**
 * Starts this process's background work, once: the host monitor, the
 * deployment runner (deployments are rows in Postgres; the runner claims its
 * share of them) and the queue's workers (webhooks, chat replies). Called by `register()` in instrumentation.ts when the server
 * boots, so queued jobs run without waiting for a first request.
 */
export function startWharf(): void {
  // `next build` loads the hook too, to prerender: nothing to run then.
  if (globalForWharf.wharfStarted || env.isBuildPhase) return;
  const deps = getWharf();
  globalForWharf.wharfStarted = true;
  const stopMonitor = startHostMonitor(deps, env.monitorIntervalMs);
  log.info(`Checking host status every ${env.monitorIntervalMs / 1000} s`);
  const runner = startDeploymentRunner(deps);
  log.info(`Deployment runner ${runner.id} started`);
  // Webhook deliveries and chat replies, on pg-boss (a failure to start is logged; deployments run regardless).
  startQueueWorkers(deps).then(
    () => log.info("Queue workers started (webhooks, chat)"),
    (error: unknown) => log.error(`Starting the queue workers failed: ${String(error)}`),
  );

  // The launcher tells Next.js to leave SIGTERM/SIGINT to us (NEXT_MANUAL_SIG_HANDLE): running jobs get
  // a grace period, and what is still running then is recorded as stopped by the shutdown, not left to a sweep;
  // then the launcher's own steps (the embedded Postgres) run, in this same process.
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    log.info(`${signal}: stopping the deployment runner (running jobs get ${SHUTDOWN_GRACE_MS / 1000} s to finish)`);
    stopMonitor();
    await runner.stop({ graceMs: SHUTDOWN_GRACE_MS }).catch((error: unknown) => log.error(`Stopping the deployment runner failed: ${String(error)}`));
    await closeWharfDeps(deps).catch(() => undefined);
    await runShutdownHooks();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void shutdown(signal));
}
