import { createWharfDeps, type Logger, startDeploymentRunner, startHostMonitor, type WharfDeps } from "@wharf/api";

import { env, serverEnv } from "~/env";

const log: Logger = {
  info: (message) => console.info(`[wharf] ${message}`),
  warn: (message) => console.warn(`[wharf] ${message}`),
  error: (message) => console.error(`[wharf] ${message}`),
};

// Cached on globalThis: dev hot reloads and Next's separate bundles (routes,
// pages, instrumentation) must share one DB client, one SSH pool, one monitor
// and one deployment runner per process.
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
 * Starts this process's background work, once: the host monitor and the
 * deployment runner (deployments are rows in Postgres; the runner claims its
 * share of them). Called by `register()` in instrumentation.ts when the server
 * boots, so queued jobs run without waiting for a first request.
 */
export function startWharf(): void {
  // `next build` loads the hook too, to prerender: nothing to run then.
  if (globalForWharf.wharfStarted || env.isBuildPhase) return;
  const deps = getWharf();
  globalForWharf.wharfStarted = true;
  startHostMonitor(deps, env.monitorIntervalMs);
  log.info(`Checking host status every ${env.monitorIntervalMs / 1000} s`);
  const runner = startDeploymentRunner(deps);
  log.info(`Deployment runner ${runner.id} started`);
}
