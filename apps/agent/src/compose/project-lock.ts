import { AgentFailure } from "../failure";

// One writer per project: two jobs must not rewrite each other's files or run
// compose on the same project at once. Checks (config, preflight) never take
// it: they work on a scratch copy.
interface Waiter {
  what: string;
  take: (release: () => void) => void;
}

interface Holder {
  what: string;
  since: Date;
  /** In arrival order; the first is handed the project when the holder releases. */
  queue: Waiter[];
}

const holders = new Map<string, Holder>();

export interface LockOptions {
  /** How long to wait for the current holder; 0 fails at once. */
  waitMs: number;
  /** Aborting stops the wait (e.g. the client went away). */
  signal?: AbortSignal;
}

/**
 * Takes project `name` for `what` (e.g. "compose up"), waiting up to
 * `waitMs` for whoever holds it; then fails with CONFLICT naming the holder
 * and since when. Resolves to the release, which is idempotent.
 */
export function lockProject(name: string, what: string, options: LockOptions): Promise<() => void> {
  const holder = holders.get(name);
  if (holder === undefined) return Promise.resolve(hold(name, { what, since: new Date(), queue: [] }));
  return new Promise((resolve, reject) => {
    const giveUp = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", giveUp);
      const index = holder.queue.indexOf(waiter);
      if (index >= 0) holder.queue.splice(index, 1);
      const current = holders.get(name) ?? holder;
      reject(
        new AgentFailure(
          "CONFLICT",
          `stack ${name} is busy: ${current.what} (started ${current.since.toISOString()}) is still running on this host; waited ${Math.round(options.waitMs / 1000)} s for it. Try again when it has finished, or cancel it.`,
        ),
      );
    };
    const waiter: Waiter = {
      what,
      take: (release) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", giveUp);
        resolve(release);
      },
    };
    const timer = setTimeout(giveUp, Math.max(0, options.waitMs));
    if (options.signal?.aborted) {
      giveUp();
      return;
    }
    options.signal?.addEventListener("abort", giveUp, { once: true });
    holder.queue.push(waiter);
  });
}

/** Installs `holder`; its release hands the project, queue and all, straight to the first waiter (nobody can slip in between). */
function hold(name: string, holder: Holder): () => void {
  holders.set(name, holder);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = holder.queue.shift();
    if (next === undefined) {
      holders.delete(name);
      return;
    }
    next.take(hold(name, { what: next.what, since: new Date(), queue: holder.queue }));
  };
}

export async function withProjectLock<T>(name: string, what: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const release = await lockProject(name, what, options);
  try {
    return await work();
  } finally {
    release();
  }
}
