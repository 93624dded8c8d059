import { projectContainers, toStatsEntry } from "../compose/containers";
import type { CallHandler } from "./context";
import { toContainerSummary } from "./list-containers";

// dockerode passes abortSignal through to the request; its typings leave it out for stats.
interface SignalledStats {
  stats(options: { stream: false; abortSignal: AbortSignal }): Promise<unknown>;
}

export const containerStats: CallHandler<"containerStats"> = async (params, ctx) => {
  const running = await projectContainers(ctx.docker, params, ctx.signal, true);
  // In parallel: for each one-shot answer Docker waits for a second sample, about a second later.
  const containers = await Promise.all(
    running.map(async (container) => {
      const handle = ctx.docker.getContainer(container.listed.Id) as unknown as SignalledStats;
      const raw = await handle.stats({ stream: false, abortSignal: ctx.signal });
      return toStatsEntry({ id: container.listed.Id, name: toContainerSummary(container.listed).name, service: container.service }, raw);
    }),
  );
  return { containers: containers.sort((a, b) => a.name.localeCompare(b.name)) };
};
