/**
 * Stack figures for `npm run bench` (printed, never passed or failed), against
 * sandbox host h1:
 * 1. Deploy of a two-service stack through Wharf (deployment.start to
 *    SUCCEEDED: preflight, compose up over SSH, recording what ran) beside
 *    raw `docker compose up -d` of the same files on h1's socket, runs alternating; median of 7.
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

/** Runs one job to its end; resolves with how long the request itself took (preflight and queueing), in ms. */
async function runJob(owner: TestUser, stackId: string, action: "DEPLOY" | "DOWN"): Promise<number> {
  const requested = performance.now();
  const [job] = await owner.caller.deployment.start({ stackId, action });
  if (!job) throw new Error("no job");
  const requestMs = performance.now() - requested;
  for await (const event of await owner.caller.deployment.output({ deploymentId: job.id })) {
    const data = (Array.isArray(event) ? event[1] : event) as { type: string; status?: string; error?: string | null };
    if (data.type === "status" && (data.status === "FAILED" || data.status === "CANCELLED")) throw new Error(`${action} ${data.status}: ${data.error ?? ""}`);
  }
  return requestMs;
}

async function deployFigures(owner: TestUser, hostId: string, host: SandboxHost): Promise<void> {
  const files = Object.keys(TWO_SERVICES);
  const dir = writeFiles(TWO_SERVICES);
  const stack = await owner.caller.stack.create({
    name: `bench-deploy-${Date.now().toString(36)}`,
    targets: [{ hostId }],
    revision: { files: Object.entries(TWO_SERVICES).map(([p, content]) => ({ path: p, content })) },
  });
  // Raw and Wharf runs alternate, so a change of load on the machine weighs on both alike.
  const raw: number[] = [];
  const wharf: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    compose(host, dir, "bench-raw", files, ["down", "--remove-orphans"]);
    let started = performance.now();
    compose(host, dir, "bench-raw", files, ["up", "-d", "--remove-orphans"]);
    raw.push(performance.now() - started);
    compose(host, dir, "bench-raw", files, ["down"]);

    started = performance.now();
    requests.push(await runJob(owner, stack.id, "DEPLOY"));
    wharf.push(performance.now() - started);
    await runJob(owner, stack.id, "DOWN");
  }
  console.log(`deploy (2 services, from nothing), median of ${RUNS}:`);
  console.log(`  raw docker compose up -d   ${ms(median(raw))}  (${raw.map(ms).join(", ")})`);
  console.log(`  through Wharf              ${ms(median(wharf))}  (${wharf.map(ms).join(", ")})`);
  console.log(`    of which the request     ${ms(median(requests))}  (preflight on the host, then queueing the job)`);
  console.log(`  ratio                      ${(median(wharf) / median(raw)).toFixed(2)}x (target <= 1.2x)`);
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
    await deployFigures(owner, hostId, host);
    await logFigures(owner, hostId, host, api.url);
  } finally {
    await api.close();
    await runner.stop({ graceMs: 1_000 });
  }
}
