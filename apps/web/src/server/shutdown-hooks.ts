/**
 * Work to finish before the process exits on SIGTERM/SIGINT, registered by the
 * launcher (e.g. stopping the embedded Postgres) and run by the server's
 * shutdown (server/wharf.ts). Kept on globalThis: the launcher and Next.js's
 * server bundles each have their own copy of this module.
 */
type Hook = () => Promise<void>;

const globalForHooks = globalThis as typeof globalThis & { wharfShutdownHooks?: Hook[] };

export function onShutdown(hook: Hook): void {
  (globalForHooks.wharfShutdownHooks ??= []).push(hook);
}

/** Runs every hook, last registered first; a failing hook does not keep the others from running. */
export async function runShutdownHooks(): Promise<void> {
  const hooks = globalForHooks.wharfShutdownHooks?.splice(0) ?? [];
  for (const hook of hooks.reverse()) await hook().catch((error: unknown) => console.error("[wharf] Shutdown step failed:", error));
}
