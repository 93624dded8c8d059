"use client";

import type { HostStatsSample, LiveContainerStats } from "@wharf/agent-protocol";
import { useEffect, useState } from "react";

import { Badge } from "~/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { errorMessage } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { useTRPCClient } from "~/trpc/react";

import { HostUsage } from "./host-usage";

const WINDOW_MS = 15 * 60_000;

interface Point {
  at: number;
  value: number;
}

/** A line over the last 15 minutes, scaled to its own maximum (or `max`). */
function Chart({ label, points, format, max }: { label: string; points: Point[]; format: (value: number) => string; max?: number }) {
  // Ends at the newest sample: with none there is nothing to draw.
  const now = points.at(-1)?.at ?? 0;
  const top = Math.max(max ?? 0, ...points.map((point) => point.value), 1e-9);
  const path = points.map((point, index) => `${index === 0 ? "M" : "L"}${(((point.at - (now - WINDOW_MS)) / WINDOW_MS) * 300).toFixed(1)},${(60 - (point.value / top) * 56).toFixed(1)}`).join(" ");
  const last = points.at(-1)?.value;
  return (
    <figure className="grid gap-1">
      <figcaption className="flex justify-between text-xs text-muted-foreground">
        <span>{label}</span>
        <span className="font-mono text-foreground tabular-nums">{last === undefined ? "—" : format(last)}</span>
      </figcaption>
      <svg viewBox="0 0 300 60" className="h-16 w-full rounded border bg-muted/30" role="img" aria-label={`${label} over the last 15 minutes`} preserveAspectRatio="none">
        <path d={path} fill="none" stroke="currentColor" strokeWidth="1.5" className="text-primary" vectorEffect="non-scaling-stroke" />
      </svg>
    </figure>
  );
}

/** Per-second rate of a cumulative counter between consecutive samples. */
function rates(samples: { at: number; value: number }[]): Point[] {
  const out: Point[] = [];
  for (let index = 1; index < samples.length; index++) {
    const previous = samples[index - 1];
    const current = samples[index];
    if (!previous || !current || current.at <= previous.at) continue;
    out.push({ at: current.at, value: Math.max(0, (current.value - previous.value) / ((current.at - previous.at) / 1000)) });
  }
  return out;
}

function series(samples: HostStatsSample[], pick: (containers: LiveContainerStats[]) => number): Point[] {
  return samples.map((sample) => ({ at: sample.at, value: pick(sample.containers) }));
}

const sum = (containers: LiveContainerStats[], key: keyof Omit<LiveContainerStats, "id" | "name">): number => containers.reduce((total, container) => total + container[key], 0);
const percent = (value: number) => `${value.toFixed(1)} %`;
const perSecond = (value: number) => `${formatBytes(value)}/s`;

/**
 * Live CPU, memory, network and block I/O of a host's containers (or of one
 * container), over the last 15 minutes. The server keeps one stats stream per
 * host for all viewers, so opening this costs the host nothing more.
 */
export function LiveResources({ hostId, containerId }: { hostId: string; containerId?: string }) {
  const client = useTRPCClient();
  const [samples, setSamples] = useState<HostStatsSample[]>([]);
  const [state, setState] = useState<{ kind: "connecting" } | { kind: "live" } | { kind: "failed"; error: string }>({ kind: "connecting" });

  useEffect(() => {
    const subscription = client.stats.host.subscribe(
      { hostId },
      {
        onStarted: () => setState({ kind: "live" }),
        onData: (event) => {
          setState({ kind: "live" });
          if (event.type === "history") setSamples(event.samples);
          else setSamples((current) => [...current.filter((sample) => sample.at >= event.sample.at - WINDOW_MS), event.sample]);
        },
        onError: (error) => setState({ kind: "failed", error: errorMessage(error) }),
      },
    );
    return () => subscription.unsubscribe();
  }, [client, hostId]);

  const scoped = containerId ? samples.map((sample) => ({ ...sample, containers: sample.containers.filter((container) => container.id === containerId) })) : samples;
  const latest = scoped.at(-1)?.containers ?? [];
  const memoryLimit = containerId ? (latest[0]?.memoryLimitBytes ?? undefined) : undefined;
  return (
    <div className="grid gap-4">
      <div role="status">
        {state.kind === "failed" ? (
          <Badge variant="destructive" title={state.error}>
            Disconnected: {state.error}
          </Badge>
        ) : state.kind === "connecting" || samples.length === 0 ? (
          <Badge variant="secondary">Waiting for the first sample…</Badge>
        ) : (
          <Badge variant="success">Live · every 2 s</Badge>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Chart label="CPU (100 % = one core)" points={series(scoped, (containers) => sum(containers, "cpuPercent"))} format={percent} />
        <Chart label="Memory" points={series(scoped, (containers) => sum(containers, "memoryUsageBytes"))} format={formatBytes} {...(memoryLimit ? { max: memoryLimit } : {})} />
        <Chart label="Network in + out" points={rates(series(scoped, (containers) => sum(containers, "networkRxBytes") + sum(containers, "networkTxBytes")))} format={perSecond} />
        <Chart label="Block I/O read + write" points={rates(series(scoped, (containers) => sum(containers, "blockReadBytes") + sum(containers, "blockWriteBytes")))} format={perSecond} />
      </div>
      {containerId ? null : <HostUsage hostId={hostId} />}
      {containerId ? null : (
        <Card>
          <CardHeader>
            <CardTitle as="h3" className="text-base">
              Containers now
            </CardTitle>
          </CardHeader>
          <CardContent>
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-muted-foreground">
                <tr>
                  <th className="py-1 font-normal">Container</th>
                  <th className="py-1 font-normal">CPU</th>
                  <th className="py-1 font-normal">Memory</th>
                </tr>
              </thead>
              <tbody>
                {latest.map((container) => (
                  <tr key={container.id} className="border-t">
                    <td className="py-1">{container.name}</td>
                    <td className="py-1 font-mono tabular-nums">{percent(container.cpuPercent)}</td>
                    <td className="py-1 font-mono tabular-nums">
                      {formatBytes(container.memoryUsageBytes)} / {formatBytes(container.memoryLimitBytes)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </CardContent>
        </Card>
      )}
    </div>
  );
}
