import { setTimeout as sleep } from "node:timers/promises";

import type { WharfDeps } from "../deps";
import { withAgentUse } from "./agents";
import { openAgentStream, refreshHost, refreshHosts } from "./hosts";

/** Re-opening a host's watch after it broke: first soon, then at most this often, so a recovery shows within seconds. */
const WATCH_RETRY_MS = [500, 1_000, 2_000, 4_000];
/** Container events refresh a host's facts and counts at most this often. */
const EVENT_REFRESH_MS = 2_000;

/**
 * Refreshes every host's status on an interval and, between ticks, watches
 * each host's Docker event stream through its agent. That stream breaks the
 * moment the agent dies, Docker stops or the SSH connection drops (ssh2
 * 'close', a failed keepalive), so the host is refreshed then, not at the
 * next tick: a change shows within seconds without polling faster.
 * A tick is skipped while the previous one still runs.
 */
export function startHostMonitor(deps: WharfDeps, intervalMs: number): () => void {
  const stopped = new AbortController();
  const watches = new Map<string, Promise<void>>();
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await refreshHosts(deps);
      for (const { id } of await deps.db.host.findMany({ select: { id: true } })) {
        if (watches.has(id) || stopped.signal.aborted) continue;
        watches.set(id, watchHost(deps, id, stopped.signal).finally(() => watches.delete(id)));
      }
    } catch (error) {
      deps.log.error(`Host status refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => {
    clearInterval(timer);
    stopped.abort();
  };
}

/**
 * Follows one host's Docker events until the host is removed or the monitor
 * stops. Each time the stream breaks, or opens again after breaking, the
 * host is refreshed (which also restarts a killed agent), so its status
 * names the cause.
 */
export async function watchHost(deps: WharfDeps, hostId: string, signal: AbortSignal): Promise<void> {
  let broken = false;
  let attempt = 0;
  while (!signal.aborted) {
    const host = await deps.db.host.findUnique({ where: { id: hostId } });
    if (!host) return;
    const refresh = () => withAgentUse("manage", () => refreshHost(deps, host));
    try {
      const events = await withAgentUse("manage", () => openAgentStream(deps, host, "dockerEvents", {}, { signal }));
      attempt = 0;
      if (broken) await refresh();
      broken = false;
      let last = 0;
      for await (const event of events) {
        if (event.type !== "container" || Date.now() - last < EVENT_REFRESH_MS) continue;
        last = Date.now();
        await refresh();
      }
    } catch {
      // The refresh below records what broke.
    }
    if (signal.aborted) return;
    if (!broken) await refresh();
    broken = true;
    await sleep(WATCH_RETRY_MS[Math.min(attempt, WATCH_RETRY_MS.length - 1)], undefined, { signal }).catch(() => undefined);
    attempt += 1;
  }
}
