import type { HostStatsSample } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { describe, expect, it } from "vitest";

import type { WharfDeps } from "../deps";
import { openStatsStreams, STATS_WINDOW_MS, watchHostStats } from "./live-stats";

/** A stats source the test feeds by hand; counts how often it was opened and whether it was closed. */
function fakeSource() {
  const opened: AbortSignal[] = [];
  let feed: ((sample: HostStatsSample) => void) | null = null;
  const source = (signal: AbortSignal): Promise<AsyncIterable<HostStatsSample>> => {
    opened.push(signal);
    const pending: HostStatsSample[] = [];
    let wake: (() => void) | null = null;
    feed = (sample) => {
      pending.push(sample);
      wake?.();
    };
    signal.addEventListener("abort", () => wake?.());
    return Promise.resolve(
      (async function* samples() {
        while (!signal.aborted) {
          const next = pending.shift();
          if (next) yield next;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      })(),
    );
  };
  return { source, opened, send: (sample: HostStatsSample) => feed?.(sample) };
}

const sample = (at: number): HostStatsSample => ({ at, containers: [] });
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("live host stats", () => {
  it("shares one agent stream between viewers, keeps 15 minutes, and closes it when the last one leaves", async () => {
    const deps = {} as WharfDeps;
    const host = { id: "h1" } as Host;
    const fake = fakeSource();
    const first = new AbortController();
    const second = new AbortController();
    const a = watchHostStats(deps, host, first.signal, fake.source);
    expect(await a.next()).toEqual({ done: false, value: { type: "history", samples: [] } });
    await tick();
    fake.send(sample(1_000));
    fake.send(sample(1_000 + STATS_WINDOW_MS + 1));
    expect((await a.next()).value).toEqual({ type: "sample", sample: sample(1_000) });
    expect((await a.next()).value).toEqual({ type: "sample", sample: sample(1_000 + STATS_WINDOW_MS + 1) });

    // A second viewer gets the window's history (the older sample fell out) from the same stream.
    const b = watchHostStats(deps, host, second.signal, fake.source);
    expect((await b.next()).value).toEqual({ type: "history", samples: [sample(1_000 + STATS_WINDOW_MS + 1)] });
    expect(fake.opened).toHaveLength(1);
    expect(openStatsStreams(deps)).toBe(1);

    await a.return();
    expect(fake.opened[0]?.aborted).toBe(false);
    await b.return();
    expect(fake.opened[0]?.aborted).toBe(true);
    expect(openStatsStreams(deps)).toBe(0);

    // Watching again opens a fresh stream.
    const c = watchHostStats(deps, host, undefined, fake.source);
    await c.next();
    expect(fake.opened).toHaveLength(2);
    await c.return();
  });
});
