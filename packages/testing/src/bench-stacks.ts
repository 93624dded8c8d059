/**
 * Stack figures for `npm run bench` (printed, never passed or failed), against
 * sandbox host h1:
 * 1. Deploy of a two-service stack through Wharf (deployment.start to
 *    SUCCEEDED: preflight, compose up over SSH, recording what ran) beside
 *    raw `docker compose up -d` of the same files on h1's socket, and down
 *    beside raw `docker compose down`; median of 7, order rotated, with a
 *    timeline per phase of Wharf's jobs.
 * 2. Log lines per second through agent + SSH + tRPC SSE over HTTP beside raw
 *    `docker compose logs -f`, for 200,000 lines.
 * 3. Latency of a new line: arrival at the SSE client minus Docker's own
 *    timestamp of the line, beside the same for raw `compose logs -f -t`.
 * 4. Control-plane memory while a client reads a chatty stack's logs slowly.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { readSse, serveApi } from "@wharf/api/test-support/stacks";
import superjson from "superjson";

import { createTestUser, type TestUser } from "./api";
import { recordFigure } from "./bench-report";
import { childEnv } from "./env";
import { loadSandbox, type SandboxHost } from "./sandbox";
import { median, percentile } from "./stats";

const RUNS = 7;
const LOG_LINES = 200_000;
const IMAGE = "wharf-test/busybox:latest";
const TWO_SERVICES = {
  "docker-compose.sample-service.yaml": `services:\n  web:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "1000000"]\n`,
  "service/docker-compose.service.yaml": `services:\n  worker:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "1000000"]\n`,
};
const CHATTY = {
  "compose.yaml": `services:\n  chatty:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "awk 'BEGIN { for (i = 1; i <= ${LOG_LINES}; i++) printf \\"line %d of the benchmark log, padded to a typical length\\\\n\\", i }'; exec sleep 1000000"]\n`,
};
const TICKER = {
  "compose.yaml": `services:\n  ticker:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.05; done"]\n`,
};

const ms = (value: number) => `${value.toFixed(0)} ms`;

function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wharf-bench-"));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function compose(host: SandboxHost, dir: string, project: string, files: string[], args: string[]): string {
  return execFileSync("docker", ["compose", "--project-name", project, ...files.flatMap((f) => ["-f", f]), ...args], {
    cwd: dir,
    env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

export async function addH1(owner: TestUser, host: SandboxHost): Promise<string> {
  const created = await owner.caller.host.create({
    name: "h1",
    address: host.address,
    port: host.port,
    username: host.users.docker,
    credential: { type: "pasted", privateKey: readFileSync(loadSandbox().clientKey, "utf8") },
    hostKeyFingerprint: host.hostKeyFingerprint,
  });
  return created.id;
}

interface JobTimes {
  /** Client clock (performance.now based, as epoch ms): the call started, it returned, the client saw the final status. */
  requested: number;
  returned: number;
  seen: number;
  jobId: string;
}

/** Runs one job to its end, noting when the request started, returned, and when the client saw its end. */
export async function runJob(owner: TestUser, stackId: string, action: "DEPLOY" | "DOWN"): Promise<JobTimes> {
  const requested = epochNow();
  const [job] = await owner.caller.deployment.start({ stackId, action });
  if (!job) throw new Error("no job");
  const returned = epochNow();
  for await (const event of await owner.caller.deployment.output({ deploymentId: job.id })) {
    const data = (Array.isArray(event) ? event[1] : event) as { type: string; status?: string; error?: string | null };
    if (data.type === "status" && (data.status === "FAILED" || data.status === "CANCELLED")) throw new Error(`${action} ${data.status}: ${data.error ?? ""}`);
  }
  return { requested, returned, seen: epochNow(), jobId: job.id };
}

/** Wall-clock ms with performance.now's resolution: comparable with the job's stored timestamps (same machine). */
const epochNow = (): number => performance.timeOrigin + performance.now();

const PHASES = ["request (reads, preflight, job row)", "claim (wake-up, claim)", "job start (load, owner)", "agent stream (to compose's first line)", "compose (first to last line)", "exit, digests", "final write", "client sees the end"] as const;
type Phase = (typeof PHASES)[number];

/**
 * Where a job's time went, from the client's clock and the job's own stored
 * timestamps: row created and claimed, and the `at` of its output lines (the
 * control plane's for its own lines, the agent's for compose's).
 */
async function timeline(deps: WharfDeps, times: JobTimes): Promise<Record<Phase, number>> {
  const job = await deps.db.deployment.findUniqueOrThrow({ where: { id: times.jobId }, select: { startedAt: true, finishedAt: true } });
  const lines = await deps.db.deploymentLog.findMany({ where: { deploymentId: times.jobId }, orderBy: { seq: "asc" }, select: { stream: true, text: true, at: true } });
  const at = (line: { at: Date } | undefined): number => line?.at.getTime() ?? Number.NaN;
  const running = at(lines.find((line) => line.stream === "wharf" && line.text.startsWith("Running compose")));
  const composeLines = lines.filter((line) => line.stream !== "wharf");
  const first = composeLines.length > 0 ? at(composeLines[0]) : running;
  const last = composeLines.length > 0 ? at(composeLines.at(-1)) : running;
  const done = at(lines.findLast((line) => line.stream === "wharf" && line.text.startsWith("Done in")));
  const started = job.startedAt?.getTime() ?? Number.NaN;
  const finished = job.finishedAt?.getTime() ?? Number.NaN;
  return {
    "request (reads, preflight, job row)": times.returned - times.requested,
    "claim (wake-up, claim)": started - times.returned,
    "job start (load, owner)": running - started,
    "agent stream (to compose's first line)": first - running,
    "compose (first to last line)": last - first,
    "exit, digests": done - last,
    "final write": finished - done,
    "client sees the end": times.seen - finished,
  };
}

function printTimeline(title: string, runs: Record<Phase, number>[]): void {
  console.log(`  ${title} timeline, median per phase (ms; stored timestamps have ms resolution):`);
  for (const phase of PHASES) {
    const values = runs.map((run) => run[phase]);
    console.log(`    ${phase.padEnd(40)} ${median(values).toFixed(0).padStart(5)}   (${Math.min(...values).toFixed(0)} to ${Math.max(...values).toFixed(0)})`);
  }
}

/** Median with the spread, so the noise of a shared machine is visible. */
const spread = (values: number[]): string => `${ms(median(values))}  (${ms(Math.min(...values))} to ${ms(Math.max(...values))}: ${values.map(ms).join(", ")})`;

async function deployFigures(deps: WharfDeps, owner: TestUser, hostId: string, host: SandboxHost): Promise<void> {
  const files = Object.keys(TWO_SERVICES);
  const dir = writeFiles(TWO_SERVICES);
  const stack = await owner.caller.stack.create({
    name: `bench-deploy-${Date.now().toString(36)}`,
    targets: [{ hostId }],
    revision: { files: Object.entries(TWO_SERVICES).map(([p, content]) => ({ path: p, content })) },
  });
  const raw = { up: [] as number[], down: [] as number[] };
  const wharf = { up: [] as number[], down: [] as number[] };
  const timelines = { up: [] as Record<Phase, number>[], down: [] as Record<Phase, number>[] };
  const rawRun = (args: string[]): number => {
    const started = performance.now();
    compose(host, dir, "bench-raw", files, args);
    return performance.now() - started;
  };
  const wharfRun = async (action: "DEPLOY" | "DOWN"): Promise<number> => {
    const times = await runJob(owner, stack.id, action);
    (action === "DEPLOY" ? timelines.up : timelines.down).push(await timeline(deps, times));
    return times.seen - times.requested;
  };
  compose(host, dir, "bench-raw", files, ["down", "--remove-orphans"]);
  // The order rotates (raw first, then Wharf first), so a change of load on the machine weighs on both alike.
  for (let i = 0; i < RUNS; i++) {
    const rawFirst = i % 2 === 0;
    if (rawFirst) raw.up.push(rawRun(["up", "-d", "--remove-orphans"]));
    wharf.up.push(await wharfRun("DEPLOY"));
    if (!rawFirst) raw.up.push(rawRun(["up", "-d", "--remove-orphans"]));
    if (rawFirst) raw.down.push(rawRun(["down", "--remove-orphans"]));
    wharf.down.push(await wharfRun("DOWN"));
    if (!rawFirst) raw.down.push(rawRun(["down", "--remove-orphans"]));
  }
  const upRatio = median(wharf.up) / median(raw.up);
  const downRatio = median(wharf.down) / median(raw.down);
  console.log(`deploy (2 services, from nothing; call to every container running), median of ${RUNS}, order rotated:`);
  console.log(`  raw docker compose up -d   ${spread(raw.up)}`);
  console.log(`  through Wharf              ${spread(wharf.up)}`);
  console.log(`  ratio                      ${upRatio.toFixed(2)}x (target <= 1.05x)`);
  printTimeline("Wharf deploy", timelines.up);
  console.log(`down (call to no container left), median of ${RUNS}, order rotated:`);
  console.log(`  raw docker compose down    ${spread(raw.down)}`);
  console.log(`  through Wharf              ${spread(wharf.down)}`);
  console.log(`  ratio                      ${downRatio.toFixed(2)}x (target <= 1.05x)`);
  printTimeline("Wharf down", timelines.down);
  recordFigure({ part: "stacks", name: "raw compose up -d, median", value: median(raw.up), unit: "ms" });
  recordFigure({ part: "stacks", name: "deploy through Wharf, median", value: median(wharf.up), unit: "ms" });
  recordFigure({ part: "stacks", name: "deploy: Wharf / raw", value: upRatio, unit: "x", target: { max: 1.05 } });
  recordFigure({ part: "stacks", name: "raw compose down, median", value: median(raw.down), unit: "ms" });
  recordFigure({ part: "stacks", name: "down through Wharf, median", value: median(wharf.down), unit: "ms" });
  recordFigure({ part: "stacks", name: "down: Wharf / raw", value: downRatio, unit: "x", target: { max: 1.05 } });
}

interface LogEvent {
  lines: { at: string; line: string }[];
}

/**
 * Time until an SSE client in its own process (curl, as a browser is) got
 * `count` log lines; lines are counted in its output without parsing it.
 */
function sseLines(url: string, input: object, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
    const started = performance.now();
    const curl = spawn("curl", ["-sN", "-H", "accept: text/event-stream", `${url}?input=${query}`], { stdio: ["ignore", "pipe", "ignore"] });
    const marker = '"stream":"';
    let seen = 0;
    let carry = "";
    curl.stdout.on("data", (chunk: Buffer) => {
      const text = carry + chunk.toString("latin1");
      for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) seen += 1;
      carry = text.slice(-marker.length + 1);
      if (seen >= count) {
        curl.kill();
        resolve(performance.now() - started);
      }
    });
    curl.once("error", reject);
  });
}

async function waitForLogLines(host: SandboxHost, container: string, count: number): Promise<void> {
  for (;;) {
    const text = execFileSync("docker", ["logs", "--tail", "1", container], { env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }), encoding: "utf8" });
    if (text.includes(`line ${count} `)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Time until raw `compose logs -f` printed `count` lines (optionally: each line's delay after its timestamp). */
function rawLogs(host: SandboxHost, dir: string, project: string, count: number, timestamps = false): Promise<{ ms: number; delays: number[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // With timestamps (latency), only new lines: the Wharf side asks for tail 0 too.
    const child = spawn("docker", ["compose", "--project-name", project, "-f", "compose.yaml", "logs", "-f", "--no-color", "--no-log-prefix", ...(timestamps ? ["-t", "--tail", "0"] : [])], {
      cwd: dir,
      env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }),
      stdio: ["ignore", "pipe", "ignore"],
    });
    let seen = 0;
    let pending = "";
    const delays: number[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      const now = Date.now();
      for (const line of lines) {
        // eslint-disable-next-line no-control-regex -- compose clears the line before each one, despite --no-color
        const text = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
        if (timestamps) delays.push(now - Date.parse(text.slice(0, text.indexOf(" "))));
        seen += 1;
      }
      if (seen >= count) {
        child.kill();
        resolve({ ms: performance.now() - started, delays });
      }
    });
    child.once("error", reject);
  });
}

async function logFigures(owner: TestUser, hostId: string, host: SandboxHost, url: string): Promise<void> {
  const stack = await owner.caller.stack.create({
    name: `bench-logs-${Date.now().toString(36)}`,
    targets: [{ hostId }],
    revision: { files: [{ path: "compose.yaml", content: CHATTY["compose.yaml"] }] },
  });
  await runJob(owner, stack.id, "DEPLOY");
  await waitForLogLines(host, `${stack.name}-chatty-1`, LOG_LINES);
  const dir = writeFiles(CHATTY);

  const raw = await rawLogs(host, dir, stack.name, LOG_LINES);
  const input = { stackId: stack.id, hostId, tail: "all", follow: true };
  const wharfMs = await sseLines(`${url}/stack.logs`, input, LOG_LINES);
  console.log(`logs, ${LOG_LINES} lines (tail all, follow):`);
  console.log(`  raw docker compose logs -f ${ms(raw.ms)}  ${Math.round(LOG_LINES / (raw.ms / 1000))} lines/s`);
  console.log(`  agent + SSH + SSE (HTTP)   ${ms(wharfMs)}  ${Math.round(LOG_LINES / (wharfMs / 1000))} lines/s`);
  console.log(`  ratio                      ${(raw.ms / wharfMs).toFixed(2)}x of raw throughput (target >= 0.5x)`);
  recordFigure({ part: "stacks", name: `logs: ${LOG_LINES} lines, share of raw throughput`, value: raw.ms / wharfMs, unit: "x", target: { min: 0.5 } });

  // A slow reader: one event per 50 ms for 3 s. The generator pulls only when the client reads, so memory stays flat.
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let slowEvents = 0;
  let peakHeap = before;
  const slowStarted = performance.now();
  await readSse<LogEvent>(`${url}/stack.logs`, { stackId: stack.id, hostId, tail: "all", follow: true }, async () => {
    slowEvents += 1;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return performance.now() - slowStarted < 3_000;
  });
  console.log(`  slow reader: ${slowEvents} events in 3 s; control-plane heap ${(before / 1e6).toFixed(0)} MB -> peak ${(peakHeap / 1e6).toFixed(0)} MB`);
  await runJob(owner, stack.id, "DOWN");

  const ticker = await owner.caller.stack.create({
    name: `bench-tick-${Date.now().toString(36)}`,
    targets: [{ hostId }],
    revision: { files: [{ path: "compose.yaml", content: TICKER["compose.yaml"] }] },
  });
  await runJob(owner, ticker.id, "DEPLOY");
  const delays: number[] = [];
  await readSse<LogEvent>(`${url}/stack.logs`, { stackId: ticker.id, hostId, tail: 0, follow: true }, (event) => {
    const now = Date.now();
    for (const line of event.lines) delays.push(now - Date.parse(line.at));
    return delays.length < 100;
  });
  const rawTicks = await rawLogs(host, writeFiles(TICKER), ticker.name, 100, true);
  console.log(`latency of a new line (Docker's timestamp to client), 100 lines:`);
  console.log(`  raw docker compose logs -f median ${ms(median(rawTicks.delays))}, p95 ${ms(percentile(rawTicks.delays, 95))}`);
  console.log(`  agent + SSH + SSE           median ${ms(median(delays))}, p95 ${ms(percentile(delays, 95))}`);
  recordFigure({ part: "stacks", name: "new log line latency, median", value: median(delays), unit: "ms" });
  await runJob(owner, ticker.id, "DOWN");
}

export async function stackFigures(deps: WharfDeps): Promise<void> {
  const runner = startDeploymentRunner(deps, { pollMs: 200 });
  const owner = await createTestUser(deps);
  const host = loadSandbox().hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const hostId = await addH1(owner, host);
  const api = await serveApi(deps, owner.userId);
  process.stdout.write(`\nStacks on h1 (busybox services; Wharf's API, runner and SSE in this process)\n`);
  try {
    await deployFigures(deps, owner, hostId, host);
    await logFigures(owner, hostId, host, api.url);
  } finally {
    await api.close();
    await runner.stop({ graceMs: 1_000 });
  }
}
