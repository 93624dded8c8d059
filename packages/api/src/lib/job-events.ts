import { EventEmitter } from "node:events";

export interface JobWatcher {
  /**
   * Resolves at once when the job changed since the last call, else on the
   * next change, after `timeoutMs`, or when `signal` aborts.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Wakes readers of a deployment when its output or status was stored. Only
 * in this process: readers also poll the database, which keeps jobs run by
 * another process visible and is where the lines are read from either way.
 */
export class JobEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(deploymentId: string): void {
    this.emitter.emit(deploymentId);
  }

  /** Watch before reading, so a change between the read and the wait is not missed. */
  watch(deploymentId: string): JobWatcher {
    let changed = false;
    let wake: (() => void) | null = null;
    const listener = () => {
      changed = true;
      wake?.();
    };
    this.emitter.on(deploymentId, listener);
    return {
      next: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          if (changed || signal?.aborted) {
            changed = false;
            resolve();
            return;
          }
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            wake = null;
            changed = false;
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          signal?.addEventListener("abort", done, { once: true });
          wake = done;
        }),
      close: () => {
        this.emitter.off(deploymentId, listener);
      },
    };
  }
}
