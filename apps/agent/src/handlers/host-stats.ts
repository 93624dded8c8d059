import { Readable } from "node:stream";

import type { HostStatsSample, LiveContainerStats } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { toStatsEntry } from "../compose/containers";
import { parseDockerResponse } from "../docker/client";
import type { Logger } from "../log";
import type { StreamHandler } from "./context";

const running = z.array(z.object({ Id: z.string(), Names: z.array(z.string()).nullish() }));
const ioStats = z.object({
  networks: z.record(z.string(), z.object({ rx_bytes: z.number(), tx_bytes: z.number() })).nullish(),
  blkio_stats: z.object({ io_service_bytes_recursive: z.array(z.object({ op: z.string(), value: z.number() })).nullish() }).nullish(),
});

interface SignalledStats {
  stats(options: { stream: false; abortSignal: AbortSignal }): Promise<unknown>;
}

/** One container's sample: CPU and memory as `docker stats` computes them, I/O as cumulative counters. */
export function toLiveStats(container: { id: string; name: string }, raw: unknown): LiveContainerStats {
  const entry = toStatsEntry({ ...container, service: "" }, raw);
  const io = parseDockerResponse(ioStats, raw, "container stats");
  const networks = Object.values(io.networks ?? {});
  const block = io.blkio_stats?.io_service_bytes_recursive ?? [];
  const blockSum = (op: string): number => block.filter((row) => row.op.toLowerCase() === op).reduce((sum, row) => sum + row.value, 0);
  return {
    id: entry.id,
    name: entry.name,
    cpuPercent: entry.cpuPercent,
    memoryUsageBytes: entry.memoryUsageBytes,
    memoryLimitBytes: entry.memoryLimitBytes,
    networkRxBytes: networks.reduce((sum, network) => sum + network.rx_bytes, 0),
    networkTxBytes: networks.reduce((sum, network) => sum + network.tx_bytes, 0),
    blockReadBytes: blockSum("read"),
    blockWriteBytes: blockSum("write"),
  };
}

/** Samples every running container each interval; a slow consumer makes it skip samples rather than queue them. */
class HostStatsStream extends Readable {
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;

  constructor(
    private readonly docker: Docker,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {
    super({ objectMode: true, highWaterMark: 2 });
  }

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  override _read(): void {
    // Samples are pushed on the timer.
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    callback(error);
  }

  private async sample(): Promise<void> {
    if (this.sampling || this.destroyed) return;
    this.sampling = true;
    try {
      const containers = parseDockerResponse(running, await this.docker.listContainers({ abortSignal: this.abort.signal }), "container list");
      const samples = await Promise.all(
        containers.map(async (container) => {
          const name = (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, "");
          try {
            const raw = await (this.docker.getContainer(container.Id) as unknown as SignalledStats).stats({ stream: false, abortSignal: this.abort.signal });
            return toLiveStats({ id: container.Id, name }, raw);
          } catch {
            // Stopped between the list and its sample.
            return null;
          }
        }),
      );
      const sample: HostStatsSample = { at: Date.now(), containers: samples.filter((entry) => entry !== null).sort((a, b) => a.name.localeCompare(b.name)) };
      if (!this.destroyed && this.readableLength < 2) this.push(sample);
    } catch (error) {
      if (!this.destroyed) {
        this.log.warn("stats sample failed", { error: String(error) });
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    } finally {
      this.sampling = false;
    }
  }
}

export const hostStats: StreamHandler<"hostStats"> = (params, ctx) => {
  const stream = new HostStatsStream(ctx.docker, params.intervalSeconds * 1000, ctx.log);
  stream.start();
  return Promise.resolve({ kind: "payloads", stream });
};
