/**
 * Live stats fan-out: CPU of the control plane (this process, serving the
 * viewers through tRPC) and of the host's agent while 10 viewers watch one
 * host's live resources, against one viewer. The server keeps one agent stream
 * per host, so ten viewers should cost the agent nothing more.
 */
import { readFileSync } from "node:fs";

import { createCaller, type WharfDeps } from "@wharf/api";

import { createTestUser } from "./api";
import { benchHost } from "./bench-footprint";
import { recordFigure } from "./bench-report";
import { dockerCli } from "./sandbox";

const IMAGE = "wharf-test/busybox:latest";
const CONTAINERS = 5;
const WARMUP_MS = 6_000;
const WINDOW_MS = 30_000;
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) a process has used. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command.
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

async function watch(deps: WharfDeps, userId: string, hostId: string, viewers: number, agentPid: number): Promise<{ controlPlane: number; agent: number; samples: number }> {
  const aborts = Array.from({ length: viewers }, () => new AbortController());
  let samples = 0;
  const readers = aborts.map(async (abort) => {
    const caller = createCaller({ deps, session: { userId }, requestedTeamId: null, ip: "127.0.0.1" }, { signal: abort.signal });
    try {
      for await (const event of await caller.stats.host({ hostId })) if (event.type === "sample") samples += 1;
    } catch {
      // Aborted at the end.
    }
  });
  await sleep(WARMUP_MS);
  const cpuBefore = process.cpuUsage();
  const agentBefore = processCpuSeconds(agentPid);
  const samplesBefore = samples;
  await sleep(WINDOW_MS);
  const cpu = process.cpuUsage(cpuBefore);
  const agent = processCpuSeconds(agentPid) - agentBefore;
  const seen = samples - samplesBefore;
  for (const abort of aborts) abort.abort();
  await Promise.all(readers);
  const share = (seconds: number) => (seconds / (WINDOW_MS / 1000)) * 100;
  return { controlPlane: share((cpu.user + cpu.system) / 1e6), agent: share(agent), samples: seen };
}

export async function liveStatsFigures(deps: WharfDeps): Promise<void> {
  const owner = await createTestUser(deps);
  const agent = await benchHost(deps, owner);
  const names = Array.from({ length: CONTAINERS }, (_, index) => `bench-stats-${Date.now().toString(36)}-${index}`);
  try {
    for (const name of names) dockerCli(agent.host, ["run", "-d", "--init", "--name", name, IMAGE, "sleep", "1000000"]);
    process.stdout.write(`\nLive stats of h1 (${CONTAINERS} running containers), CPU over ${WINDOW_MS / 1000} s: 1 viewer vs 10 viewers\n`);
    const one = await watch(deps, owner.userId, agent.hostId, 1, agent.pid());
    const ten = await watch(deps, owner.userId, agent.hostId, 10, agent.pid());
    for (const [label, run] of [["1 viewer", one], ["10 viewers", ten]] as const) {
      process.stdout.write(`  ${label}: control plane ${run.controlPlane.toFixed(2)} % of a core, agent ${run.agent.toFixed(2)} %, ${run.samples} samples delivered\n`);
      recordFigure({ part: "live-stats", name: `control-plane CPU, ${label}`, value: run.controlPlane, unit: "%" });
      recordFigure({ part: "live-stats", name: `agent CPU, ${label}`, value: run.agent, unit: "%" });
    }
    // One agent stream whoever watches: the agent's cost must not grow with viewers.
    recordFigure({ part: "live-stats", name: "agent CPU ratio, 10 viewers / 1 viewer", value: ten.agent / Math.max(one.agent, 0.01), unit: "x", target: { max: 1.5 } });
    recordFigure({ part: "live-stats", name: "control-plane CPU ratio, 10 viewers / 1 viewer", value: ten.controlPlane / Math.max(one.controlPlane, 0.01), unit: "x" });
  } finally {
    for (const name of names) {
      try {
        dockerCli(agent.host, ["rm", "-f", name]);
      } catch {
        // Never started.
      }
    }
    agent.stop();
  }
}
