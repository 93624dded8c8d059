import { createWharfDeps, type Logger, startDeploymentRunner, startHostMonitor, type WharfDeps } from "@wharf/api";

import { serverEnv } from "~/env";

const log: Logger = {
  info: (message) => console.info(`[wharf] ${message}`),
  warn: (message) => console.warn(`[wharf] ${message}`),
  error: (message) => console.error(`[wharf] ${message}`),
};

// Cached on globalThis: dev hot reloads and Next's separate bundles (routes,
// pages) must share one DB client, one SSH pool and one monitor per process.
const globalForWharf = globalThis as typeof globalThis & { wharfDeps?: WharfDeps };

/** The process-wide dependencies; created on first use, which starts the host monitor and the deployment runner. */
export function getWharf(): WharfDeps {
  if (globalForWharf.wharfDeps) return globalForWharf.wharfDeps;
  const env = serverEnv();
  const deps = createWharfDeps({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    masterKey: env.masterKey,
    agentDistDir: env.agentDistDir,
    publicUrl: env.publicUrl,
    log,
  });
  if (!env.isBuildPhase) {
    startHostMonitor(deps, env.monitorIntervalMs);
    log.info(`Checking host status every ${env.monitorIntervalMs / 1000} s`);
    // Deployments are rows in Postgres; this process runs its share of them.
    startDeploymentRunner(deps);
  }
  globalForWharf.wharfDeps = deps;
  return deps;
}
