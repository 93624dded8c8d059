import type { HostStatsSample } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";

import type { WharfDeps } from "../deps";
import { callAgent, openAgentStream } from "./hosts";

/** The charts' window: samples older than this are dropped. */
export const STATS_WINDOW_MS = 15 * 60_000;
const INTERVAL_SECONDS = 2;

export type LiveStatsEvent = { type: "history"; samples: HostStatsSample[] } | { type: "sample"; sample: HostStatsSample };

type Source = (signal: AbortSignal) => Promise<AsyncIterable<HostStatsSample>>;

interface Viewer {
  push(event: LiveStatsEvent): void;
  fail(error: unknown): void;
}

/**
 * One agent stream per host, shared by everyone watching it: the first viewer
 * opens it, the last one leaving closes it (and its history goes with it).
 */
class StatsHub {
  readonly viewers = new Set<Viewer>();
  readonly history: HostStatsSample[] = [];
  private readonly controller = new AbortController();

  constructor(
    source: Source,
    private readonly onIdle: () => void,
  ) {
    void this.pump(source);
  }

  private async pump(source: Source): Promise<void> {
    try {
      for await (const sample of await source(this.controller.signal)) {
        this.history.push(sample);
        while ((this.history[0]?.at ?? Infinity) < sample.at - STATS_WINDOW_MS) this.history.shift();
        for (const viewer of this.viewers) viewer.push({ type: "sample", sample });
      }
      throw new Error("The host's stats stream ended.");
    } catch (error) {
      if (this.controller.signal.aborted) return;
      for (const viewer of this.viewers) viewer.fail(error);
      this.close();
    }
  }

  leave(viewer: Viewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0) this.close();
  }

  private close(): void {
    this.controller.abort();
    this.onIdle();
  }
}

const hubsByDeps = new WeakMap<WharfDeps, Map<string, StatsHub>>();

function hubsOf(deps: WharfDeps): Map<string, StatsHub> {
  let hubs = hubsByDeps.get(deps);
  if (!hubs) {
    hubs = new Map();
    hubsByDeps.set(deps, hubs);
  }
  return hubs;
}

/** How many agent stats streams this process holds open (one per watched host). */
export function openStatsStreams(deps: WharfDeps): number {
  return hubsOf(deps).size;
}

/** The host's live stats: the last 15 minutes first, then each new sample, until `signal` aborts. */
export function watchHostStats(deps: WharfDeps, host: Host, signal?: AbortSignal, source: Source = (abort) => openAgentStream(deps, host, "hostStats", { intervalSeconds: INTERVAL_SECONDS }, { signal: abort })): AsyncGenerator<LiveStatsEvent, void, undefined> {
  const hubs = hubsOf(deps);
  let hub = hubs.get(host.id);
  if (!hub) {
    const created: StatsHub = new StatsHub(source, () => {
      if (hubs.get(host.id) === created) hubs.delete(host.id);
    });
    hubs.set(host.id, created);
    hub = created;
  }
  const shared = hub;
  const queue: LiveStatsEvent[] = [{ type: "history", samples: [...shared.history] }];
  const state: { failure: Error | null } = { failure: null };
  let wake: (() => void) | null = null;
  const viewer: Viewer = {
    push: (event) => {
      queue.push(event);
      wake?.();
    },
    fail: (error) => {
      state.failure = error instanceof Error ? error : new Error("The host's stats stream failed.");
      wake?.();
    },
  };
  shared.viewers.add(viewer);
  const onAbort = (): void => wake?.();
  signal?.addEventListener("abort", onAbort);
  return (async function* events() {
    try {
      while (!signal?.aborted) {
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (state.failure) throw state.failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      shared.leave(viewer);
    }
  })();
}

/** The machine's CPU, memory and data-directory disk, and what Docker's objects take there (`system df` walks the volumes: slow on big hosts). */
export async function getHostUsage(deps: WharfDeps, host: Host) {
  return callAgent(deps, host, "hostUsage", {}, { timeoutMs: 120_000 });
}
