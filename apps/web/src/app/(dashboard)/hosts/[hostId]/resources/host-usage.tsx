"use client";

import { useQuery } from "@tanstack/react-query";

import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { errorMessage } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

// `system df` walks every volume: read every half minute, not with each stats sample.
const USAGE_REFRESH_MS = 30_000;

function Meter({ label, used, total, detail }: { label: string; used: number; total: number; detail: string }) {
  const share = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div className="grid gap-1">
      <div className="flex justify-between gap-2 text-xs text-muted-foreground">
        <span>{label}</span>
        <span className="font-mono text-foreground tabular-nums">{share.toFixed(0)} %</span>
      </div>
      <div role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share)} aria-valuetext={detail} className="h-2 overflow-hidden rounded-full bg-muted">
        <div className={share >= 90 ? "h-full bg-destructive" : "h-full bg-primary"} style={{ width: `${share}%` }} />
      </div>
      <p className="text-xs text-muted-foreground">{detail}</p>
    </div>
  );
}

/** The machine itself: CPU, memory, the disk holding Docker's data directory, and what Docker keeps there. */
export function HostUsage({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.stats.usage.queryOptions({ hostId }, { refetchInterval: USAGE_REFRESH_MS }));
  const data = usage.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h3" className="text-base">
          Host usage
        </CardTitle>
      </CardHeader>
      <CardContent>
        {data ? (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Meter
              label="CPU"
              used={data.cpu.usedPercent}
              total={100}
              detail={`${data.cpu.cores} cores · load ${data.cpu.loadAverage.map((value) => value.toFixed(2)).join(" ")}`}
            />
            <Meter label="Memory" used={data.memory.usedBytes} total={data.memory.totalBytes} detail={`${formatBytes(data.memory.usedBytes)} of ${formatBytes(data.memory.totalBytes)} in use`} />
            {data.disk ? (
              <Meter
                label="Disk"
                used={data.disk.usedBytes}
                total={data.disk.totalBytes}
                // Available can be less than total minus used (blocks reserved for root, quotas): both are shown.
                detail={`${formatBytes(data.disk.usedBytes)} used of ${formatBytes(data.disk.totalBytes)}, ${formatBytes(data.disk.availableBytes)} available (the filesystem of ${data.disk.path})`}
              />
            ) : (
              <p className="text-xs text-muted-foreground">The agent cannot measure the filesystem of {data.docker.rootDir}.</p>
            )}
            <div className="grid content-start gap-1 text-xs">
              <span className="text-muted-foreground">Docker data ({data.docker.rootDir})</span>
              <span className="font-mono text-sm tabular-nums">{formatBytes(data.docker.totalBytes)}</span>
              <span className="text-muted-foreground">
                images {formatBytes(data.docker.imagesBytes)} · containers {formatBytes(data.docker.containersBytes)} · volumes {formatBytes(data.docker.volumesBytes)} · build
                cache {formatBytes(data.docker.buildCacheBytes)}
              </span>
            </div>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground" role="status">
            {usage.error ? `Host usage could not be read: ${errorMessage(usage.error)}` : "Measuring…"}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
