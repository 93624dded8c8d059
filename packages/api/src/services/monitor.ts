import type { WharfDeps } from "../deps";
import { refreshHosts } from "./hosts";

/**
 * Refreshes every host's status on an interval. A tick is skipped while the
 * previous one still runs, so slow hosts never pile up work.
 */
export function startHostMonitor(deps: WharfDeps, intervalMs: number): () => void {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await refreshHosts(deps);
    } catch (error) {
      deps.log.error(`Host status refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
