/**
 * Footprint figures for `npm run bench` (printed and recorded, never passed or failed):
 * - footprint: the agent's RSS on h1, idle after its start and idle again after
 *   a working session (calls, a 200,000-line log read); the production web
 *   server's RSS idle after serving pages, and how many Node processes it is.
 * - soak: the agent's RSS sampled while a log stream stays open on a ticking
 *   container for WHARF_BENCH_SOAK_MINUTES (default 30), with its slope.
 * The agent runs from a data directory of its own on h1, stopped at the end.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { agentPaths, type WharfDeps } from "@wharf/api";
import type { AgentClient } from "@wharf/api/lib/agent-client";

import { createTestUser, type TestUser } from "./api";
import { recordFigure } from "./bench-report";
import { childEnv, testEnv } from "./env";
import { loadSandbox, type SandboxHost } from "./sandbox";
import { median, slope } from "./stats";
import { startWebServer } from "./web-server";

const MIB = 1024 * 1024;
const IDLE_SETTLE_MS = 30_000;
const LOG_LINES = 200_000;
const WEB_PORT = 3305;
const IMAGE = "wharf-test/busybox:latest";
const SOAK_SAMPLE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, in bytes (as `ps` and the kernel count it). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** RSS split as the kernel counts it: anonymous (heaps) and file-backed (the executable's pages, shared and reclaimable). */
function rssSplit(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return `anon ${(kib("RssAnon") / 1024).toFixed(1)} + file ${(kib("RssFile") / 1024).toFixed(1)} MiB`;
}

/** `pid` and every process below it. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) tree.push(...(children.get(tree[index] ?? -1) ?? []));
  return tree;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

interface BenchAgent {
  hostId: string;
  client: AgentClient;
  pid: () => number;
  host: SandboxHost;
  stop: () => void;
}

/** h1 as a Wharf host whose agent lives in a directory of its own (so other users of h1's agent are not measured). */
export async function benchHost(deps: WharfDeps, owner: TestUser): Promise<BenchAgent> {
  const sandbox = loadSandbox();
  const host = sandbox.hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const privateKey = readFileSync(sandbox.clientKey, "utf8");
  const home = execFileSync("getent", ["passwd", host.users.docker]).toString().split(":")[5] ?? "";
  const agentDir = `${home}/.wharf-bench-footprint`;
  const credential = await deps.db.sshCredential.create({
    data: { teamId: owner.teamId, name: "footprint", kind: "PASTED", publicKey: sandbox.clientPublicKey, fingerprint: "footprint", privateKeyEnc: deps.secrets.seal(privateKey) },
  });
  const { id: environmentId } = await deps.db.environment.findFirstOrThrow({ where: { teamId: owner.teamId }, select: { id: true } });
  const row = await deps.db.host.create({
    data: {
      teamId: owner.teamId, environmentId, name: "footprint", address: host.address, port: host.port, username: host.users.docker, credentialId: credential.id,
      hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: host.hostKeyFingerprint, hostKey: "", agentDir,
    },
  });
  // Installs (or upgrades) and starts the agent, as for a new host.
  await owner.caller.host.testConnection({ hostId: row.id });
  const paths = agentPaths(agentDir);
  const client = deps.agents.client(
    { hostId: row.id, address: row.address, port: row.port, username: row.username, privateKey, hostKeyFingerprint: row.hostKeyFingerprint },
    paths,
  );
  const pid = (): number => Number(readFileSync(`${paths.socket}.pid`, "utf8").trim());
  return {
    hostId: row.id,
    client,
    pid,
    host,
    stop: () => {
      try {
        execFileSync(paths.bin, ["stop", "--socket", paths.socket]);
      } catch {
        // Already gone.
      }
    },
  };
}

function compose(host: SandboxHost, project: string, content: string, args: string[]): void {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-bench-footprint-"));
  execFileSync("sh", ["-c", 'cat > "$1/compose.yaml"', "sh", dir], { input: content });
  execFileSync("docker", ["compose", "--project-name", project, "-f", path.join(dir, "compose.yaml"), ...args], {
    env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }),
    stdio: "ignore",
  });
}

const chatty = `services:\n  chatty:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "awk 'BEGIN { for (i = 1; i <= ${LOG_LINES}; i++) printf \\"line %d of the footprint log, padded to a typical length\\\\n\\", i }'; exec sleep 1000000"]\n`;
const ticker = `services:\n  ticker:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.05; done"]\n`;

async function readAllLogs(client: AgentClient, project: string): Promise<number> {
  let lines = 0;
  for await (const batch of await client.stream("composeLogs", { name: project, tail: "all", follow: false })) lines += batch.lines.length;
  return lines;
}

const mib = (bytes: number): number => bytes / MIB;

export async function agentFootprintFigures(deps: WharfDeps): Promise<void> {
  const owner = await createTestUser(deps);
  const agent = await benchHost(deps, owner);
  const project = `bench-footprint-${Date.now().toString(36)}`;
  try {
    process.stdout.write(`\nAgent footprint on h1 (pid ${agent.pid()}, its own data directory)\n`);
    await sleep(IDLE_SETTLE_MS);
    const fresh = rssBytes(agent.pid());
    process.stdout.write(`  idle after start: ${mib(fresh).toFixed(1)} MiB (${rssSplit(agent.pid())})\n`);

    compose(agent.host, project, chatty, ["up", "-d"]);
    for (let i = 0; i < 100; i++) await agent.client.call("listContainers", { all: true });
    await agent.client.call("hostFacts", {});
    let read = 0;
    while (read < LOG_LINES) {
      read = await readAllLogs(agent.client, project);
      if (read < LOG_LINES) await sleep(500);
    }
    const busy = rssBytes(agent.pid());
    await sleep(IDLE_SETTLE_MS);
    const idle = rssBytes(agent.pid());
    process.stdout.write(`  after 100 calls and a ${LOG_LINES}-line log read: ${mib(busy).toFixed(1)} MiB; idle ${IDLE_SETTLE_MS / 1000} s later: ${mib(idle).toFixed(1)} MiB (${rssSplit(agent.pid())})\n`);
    recordFigure({ part: "footprint", name: "agent RSS, idle after start", value: mib(fresh), unit: "MiB", target: { max: 50 } });
    recordFigure({ part: "footprint", name: "agent RSS, idle after work", value: mib(idle), unit: "MiB", target: { max: 50 } });
  } finally {
    compose(agent.host, project, chatty, ["down", "--timeout", "0"]);
    agent.stop();
  }
}

export async function agentSoakFigures(deps: WharfDeps): Promise<void> {
  const owner = await createTestUser(deps);
  const agent = await benchHost(deps, owner);
  const project = `bench-soak-${Date.now().toString(36)}`;
  const controller = new AbortController();
  const soakMinutes = testEnv.soakMinutes;
  try {
    compose(agent.host, project, ticker, ["up", "-d"]);
    let lines = 0;
    const reading = (async () => {
      for await (const batch of await agent.client.stream("composeLogs", { name: project, tail: 0, follow: true }, { signal: controller.signal })) lines += batch.lines.length;
    })().catch(() => undefined);
    process.stdout.write(`\nAgent soak on h1: a log stream open on a container printing 20 lines/s, ${soakMinutes} min, RSS every ${SOAK_SAMPLE_MS / 1000} s\n`);
    const started = Date.now();
    const samples: { minutes: number; mib: number }[] = [];
    while (Date.now() - started < soakMinutes * 60_000) {
      await sleep(SOAK_SAMPLE_MS);
      const sample = { minutes: (Date.now() - started) / 60_000, mib: mib(rssBytes(agent.pid())) };
      samples.push(sample);
      if (samples.length % 6 === 0) process.stdout.write(`  ${sample.minutes.toFixed(1)} min: ${sample.mib.toFixed(1)} MiB, ${lines} lines read\n`);
    }
    controller.abort();
    await reading;
    // The first minutes hold start-up growth (code, caches): the slope is taken over the rest.
    const settled = samples.filter((sample) => sample.minutes >= Math.min(2, soakMinutes / 5));
    // MiB per minute, as MiB per hour.
    const perHour = slope(settled.map((sample) => ({ x: sample.minutes, y: sample.mib }))) * 60;
    const values = samples.map((sample) => sample.mib);
    process.stdout.write(
      `  RSS first ${values[0]?.toFixed(1)} MiB, median ${median(values).toFixed(1)}, max ${Math.max(...values).toFixed(1)}, last ${values.at(-1)?.toFixed(1)}; slope ${perHour.toFixed(2)} MiB/hour; ${lines} lines read\n`,
    );
    recordFigure({ part: "soak", name: `agent RSS slope, ${soakMinutes} min with a log stream open`, value: perHour, unit: "MiB/h", target: { max: 2 } });
    recordFigure({ part: "soak", name: "agent RSS max during the soak", value: Math.max(...values), unit: "MiB", target: { max: 50 } });
  } finally {
    controller.abort();
    compose(agent.host, project, ticker, ["down", "--timeout", "0"]);
    agent.stop();
  }
}

/** The production server as the README starts it (`node apps/web/dist/server.mjs`), idle after serving a few pages. */
export async function webFootprintFigures(databaseUrl: string): Promise<void> {
  const server = await startWebServer({ databaseUrl, port: WEB_PORT, dataDir: mkdtempSync(path.join(tmpdir(), "wharf-bench-web-")) });
  const { url } = server;
  try {
    for (let i = 0; i < 5; i++) for (const page of ["/signin", "/", "/api/health"]) await fetch(`${url}${page}`, { redirect: "manual" }).then((response) => response.arrayBuffer());
    await sleep(IDLE_SETTLE_MS);
    const tree = processTree(server.process.pid ?? 0);
    const nodes = tree.filter((pid) => comm(pid) === "node");
    const rss = nodes.reduce((sum, pid) => sum + rssBytes(pid), 0);
    process.stdout.write(`\nWeb server (node apps/web/dist/server.mjs), idle ${IDLE_SETTLE_MS / 1000} s after serving pages\n`);
    process.stdout.write(`  Node processes: ${nodes.length} (${nodes.map((pid) => `${pid} ${(rssBytes(pid) / MIB).toFixed(0)} MiB`).join(", ")}); RSS ${mib(rss).toFixed(1)} MiB\n`);
    recordFigure({ part: "footprint", name: "web server RSS, idle", value: mib(rss), unit: "MiB", target: { max: 200 } });
    recordFigure({ part: "footprint", name: "web server Node processes", value: nodes.length, unit: "processes", target: { max: 1 } });
  } finally {
    await server.stop();
  }
}
