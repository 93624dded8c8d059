/**
 * `npm run bench [-- part ...]`: prints figures, never passes or fails.
 * Parts (all by default):
 * - agent: agent call latency through the SSH tunnel (first call, p50/p99 of
 *   200 warm calls) beside the same Docker API call made directly on the
 *   host's socket, as a ratio.
 * - refresh: time to refresh the status of N hosts at once (N = 1, 10, 50),
 *   each host its own sshd on loopback and its own agent.
 * - stacks: deploy through Wharf vs raw `docker compose up -d`, log lines/s
 *   and new-line latency through agent + SSH + SSE vs raw `compose logs -f`
 *   (see bench-stacks.ts).
 * - recovery: kill -9 of an idle agent until the next call answers, and
 *   until the monitor alone brought it back; sshd restarted until the first
 *   call succeeds; dockerd restarted until the host is ONLINE (see
 *   bench-recovery.ts).
 * - log-view: the browser's Logs tab receiving 1,000,000 lines: frame times,
 *   scroll and search responsiveness, heap (e2e/bench/log-view.bench.ts).
 * - log-burst: 200,000-line bursts, live and "All lines", from a container on
 *   h1 to the last line on screen in Chromium, vs raw `compose logs -f`, with
 *   the page's long tasks (see bench-logs.ts).
 * - footprint: the agent's idle RSS on h1, the production web server's idle
 *   RSS and Node process count (see bench-footprint.ts).
 * - soak: the agent's RSS over WHARF_BENCH_SOAK_MINUTES (default 30) with a
 *   log stream open, and its slope (see bench-footprint.ts).
 * - terminal: keystroke-to-echo latency through Wharf's terminal vs
 *   `docker exec -it` on the host (see bench-terminal.ts).
 * - rest: the production server's REST status endpoint (100 stacks on 10
 *   hosts) under autocannon from another process, beside its constant
 *   liveness route (see bench-rest.ts).
 * - live-stats: control-plane and agent CPU while 10 viewers watch one
 *   host's live stats vs one viewer (see bench-live-stats.ts).
 * - images: the image page of an image with 120 layers, the API call and
 *   navigation until every layer shows in Chromium (see bench-images.ts).
 * - folders: deploy of a revision that changed one file of a 200-file stack
 *   folder vs the first deploy of that folder (see bench-folders.ts).
 * - push: a multi-layer image pushed through Wharf vs raw `docker push` to
 *   the same registry (see bench-registry.ts).
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { agentPaths, refreshHosts, type WharfDeps } from "@wharf/api";
import { z } from "zod";

import { closeWharfDeps, createTestDeps, createTestUser } from "./api";
import { folderFigures } from "./bench-folders";
import { agentFootprintFigures, agentSoakFigures, webFootprintFigures } from "./bench-footprint";
import { imagePageFigures } from "./bench-images";
import { leftovers, type Snapshot, stopStartedAgents, takeSnapshot } from "./bench-leftovers";
import { liveStatsFigures } from "./bench-live-stats";
import { logBurstFigures } from "./bench-logs";
import { recoveryFigures } from "./bench-recovery";
import { pushFigures } from "./bench-registry";
import { recordFigure, renderFigureTable } from "./bench-report";
import { restFigures } from "./bench-rest";
import { stackFigures } from "./bench-stacks";
import { terminalFigures } from "./bench-terminal";
import { childEnv, REPO_ROOT, testEnv } from "./env";
import { loadSandbox } from "./sandbox";
import { mustRun, prepareHosts, runCommand, startTestPostgres, stopSandbox } from "./stack";
import { percentile } from "./stats";

const WARM_CALLS = 200;
const HOST_COUNTS = [1, 10, 50];

async function timeMs(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function series(count: number, run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) samples.push(await timeMs(run));
  return samples.sort((a, b) => a - b);
}

function dockerGet(socketPath: string, requestPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: requestPath, agent: keepAlive }, (response) => {
      response.resume();
      response.on("end", () => resolve());
    });
    request.on("error", reject);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

async function agentLatency(deps: WharfDeps): Promise<void> {
  const sandbox = loadSandbox();
  const h1 = sandbox.hosts[0];
  if (!h1) throw new Error("no sandbox host");
  const owner = await createTestUser(deps);
  const created = await owner.caller.host.create({
    name: "bench",
    address: h1.address,
    port: h1.port,
    username: h1.users.docker,
    credential: { type: "pasted", privateKey: readFileSync(sandbox.clientKey, "utf8") },
    hostKeyFingerprint: h1.hostKeyFingerprint,
  });
  deps.agents.dropAll();
  await deps.ssh.closeAll();
  const caller = owner.caller;
  const first = await timeMs(() => caller.host.containers({ hostId: created.id }));
  const row = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
  const tunnelClient = deps.agents.client(
    { hostId: row.id, address: row.address, port: row.port, username: row.username, privateKey: readFileSync(sandbox.clientKey, "utf8"), hostKeyFingerprint: row.hostKeyFingerprint },
    agentPaths(row.agentDir),
  );
  await tunnelClient.call("listContainers", { all: true });
  // Alternating, so the load of a shared machine weighs on both alike.
  const viaAgent: number[] = [];
  const viaTunnel: number[] = [];
  for (let i = 0; i < WARM_CALLS; i += 1) {
    viaAgent.push(await timeMs(() => caller.host.containers({ hostId: created.id })));
    viaTunnel.push(await timeMs(() => tunnelClient.call("listContainers", { all: true })));
  }
  const directFirst = await timeMs(() => dockerGet(h1.dockerSocket, "/containers/json?all=1"));
  const direct = await series(WARM_CALLS, () => dockerGet(h1.dockerSocket, "/containers/json?all=1"));
  const p50 = percentile(viaAgent, 50);
  const p99 = percentile(viaAgent, 99);
  const d50 = percentile(direct, 50);
  const d99 = percentile(direct, 99);
  process.stdout.write(`\nList containers: Wharf API -> SSH tunnel -> agent -> Docker, vs Docker API on the host's socket\n`);
  process.stdout.write(`  first call (new SSH connection + handshake + forward): ${fmt(first)}   direct first: ${fmt(directFirst)}\n`);
  process.stdout.write(`  warm, ${WARM_CALLS} calls: p50 ${fmt(p50)}  p99 ${fmt(p99)}   direct p50 ${fmt(d50)}  p99 ${fmt(d99)}\n`);
  process.stdout.write(`  ratio (through Wharf / direct): p50 ${(p50 / d50).toFixed(2)}x  p99 ${(p99 / d99).toFixed(2)}x\n`);
  const t50 = percentile(viaTunnel, 50);
  const t99 = percentile(viaTunnel, 99);
  process.stdout.write(`  agent client only (tunnel + agent, no API layer): p50 ${fmt(t50)}  p99 ${fmt(t99)}  ratio p50 ${(t50 / d50).toFixed(2)}x\n`);
  process.stdout.write(`  per-call cost (through the API / agent client alone): p50 ${(p50 / t50).toFixed(2)}x\n`);
  recordFigure({ part: "agent", name: "first call (new SSH connection)", value: first, unit: "ms" });
  recordFigure({ part: "agent", name: "warm call through the API, p50", value: p50, unit: "ms" });
  recordFigure({ part: "agent", name: "warm call through the API, p99", value: p99, unit: "ms" });
  recordFigure({ part: "agent", name: "agent client alone, p50", value: t50, unit: "ms" });
  recordFigure({ part: "agent", name: "per-call cost: API / agent client, p50", value: p50 / t50, unit: "x", target: { max: 2 } });
}

const loopbackSchema = z.object({ sshd: z.array(z.object({ port: z.number(), user: z.string(), hostKeyFingerprint: z.string() })) });

/**
 * Each loopback host runs its own agent (a daemon that outlives SSH): they are
 * stopped at the end, then the sshds, and the agent directories removed.
 */
async function refreshFanOut(deps: WharfDeps, before: Snapshot): Promise<void> {
  const dirs: string[] = [];
  try {
    await refreshRounds(deps, dirs);
  } finally {
    await stopStartedAgents(deps, before);
    deps.agents.dropAll();
    await deps.ssh.closeAll();
    stopLoopbackSshds();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function stopLoopbackSshds(): void {
  const dir = path.join(testEnv.sandboxState, "loopback");
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".pid"))) {
    const pid = Number.parseInt(readFileSync(path.join(dir, file), "utf8"), 10);
    try {
      // Pids are reused: only an sshd of this fleet.
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`${dir}/sshd_config`)) process.kill(pid, "SIGTERM");
    } catch {
      // Gone already.
    }
    rmSync(path.join(dir, file), { force: true });
  }
}

async function refreshRounds(deps: WharfDeps, dirs: string[]): Promise<void> {
  const maxHosts = Math.max(...HOST_COUNTS);
  const code = await runCommand("bash", ["docker/sandbox/sandbox.sh", "loopback-sshd", "--count", String(maxHosts), "--base-port", "22200"], { quiet: true });
  if (code !== 0) throw new Error("could not start the loopback sshd fleet");
  const fleet = loopbackSchema.parse(JSON.parse(readFileSync(path.join(testEnv.sandboxState, "loopback.json"), "utf8"))).sshd;
  const sandbox = loadSandbox();
  const owner = await createTestUser(deps);
  const privateKey = readFileSync(sandbox.clientKey, "utf8");
  const credential = await deps.db.sshCredential.create({
    data: { teamId: owner.teamId, name: "bench", kind: "PASTED", publicKey: sandbox.clientPublicKey, fingerprint: "bench", privateKeyEnc: deps.secrets.seal(privateKey) },
  });
  const { id: environmentId } = await deps.db.environment.findFirstOrThrow({ where: { teamId: owner.teamId }, select: { id: true } });
  // Setup, not measured: every host gets its own agent directory with the binary in place.
  const binary = gunzipSync(readFileSync(deps.agents.bundle.gzPath));
  process.stdout.write(`\nRefresh status of N hosts at once (each its own sshd on 127.0.0.1 and its own agent)\n`);
  for (const n of HOST_COUNTS) {
    await deps.db.host.deleteMany({ where: { teamId: owner.teamId } });
    const hosts = fleet.slice(0, n);
    for (const [i, sshd] of hosts.entries()) {
      const home = execFileSync("getent", ["passwd", sshd.user]).toString().split(":")[5] ?? "";
      const dir = `${home}/.wharf-bench-${i}`;
      if (!dirs.includes(dir)) dirs.push(dir);
      mkdirSync(`${dir}/bin`, { recursive: true });
      // Replaced by rename: the file may be the image of a running agent.
      writeFileSync(`${dir}/bin/wharf-agent.new`, binary);
      chmodSync(`${dir}/bin/wharf-agent.new`, 0o755);
      renameSync(`${dir}/bin/wharf-agent.new`, `${dir}/bin/wharf-agent`);
      execFileSync("chown", ["-R", `${sshd.user}:`, dir]);
      await deps.db.host.create({
        data: {
          teamId: owner.teamId, name: `bench-${i}`, address: "127.0.0.1", port: sshd.port, username: sshd.user, credentialId: credential.id, environmentId,
          hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: sshd.hostKeyFingerprint, hostKey: "", agentDir: dir,
        },
      });
    }
    await refreshHosts(deps, { teamId: owner.teamId }); // starts the agents
    deps.agents.dropAll();
    await deps.ssh.closeAll();
    let counts: Awaited<ReturnType<typeof refreshHosts>> | undefined;
    const cold = await timeMs(async () => (counts = await refreshHosts(deps, { teamId: owner.teamId })));
    const warm = await series(5, () => refreshHosts(deps, { teamId: owner.teamId }));
    process.stdout.write(
      `  N=${String(n).padStart(2)}: cold (new SSH connections) ${fmt(cold)}   warm median of 5 ${fmt(percentile(warm, 50))}   online ${counts?.ONLINE ?? 0}/${n}\n`,
    );
    recordFigure({ part: "refresh", name: `${n} host(s), cold`, value: cold, unit: "ms" });
    recordFigure({ part: "refresh", name: `${n} host(s), warm median of 5`, value: percentile(warm, 50), unit: "ms" });
    recordFigure({ part: "refresh", name: `${n} host(s) online`, value: counts?.ONLINE ?? 0, unit: "hosts", target: { min: n } });
  }
}

const LOG_VIEW_PORT = 3400;
const LOG_VIEW_PASSWORD = "correct horse battery";

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const healthy = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the web app at ${url} did not become healthy in ${timeoutMs / 1000} s`);
}

/** The production web app on its own port, a user and a stack in it, then the browser measurement against that page. */
async function logViewFigures(deps: WharfDeps, databaseUrl: string): Promise<void> {
  await mustRun("Web app (production build)", "npm", ["run", "build", "-w", "@wharf/web"]);
  const owner = await createTestUser(deps, { password: LOG_VIEW_PASSWORD });
  // The Logs tab needs a target host to pick; the measurement replaces the log stream in the page, so nothing is sent to it.
  const credential = await deps.db.sshCredential.create({
    data: { teamId: owner.teamId, name: "log-view", kind: "PASTED", publicKey: "", fingerprint: "log-view", privateKeyEnc: deps.secrets.seal("unused") },
  });
  const host = await deps.db.host.create({
    data: {
      teamId: owner.teamId, name: "log-view", address: "127.0.0.1", port: 9, username: "nobody", credentialId: credential.id,
      environmentId: (await deps.db.environment.findFirstOrThrow({ where: { teamId: owner.teamId }, select: { id: true } })).id,
      hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: "SHA256:log-view", hostKey: "", agentDir: "/nonexistent",
    },
  });
  const stack = await owner.caller.stack.create({
    name: "log-view",
    targets: [{ hostId: host.id }],
    revision: { files: [{ path: "compose.yaml", content: "services:\n  web:\n    image: busybox\n" }] },
  });
  const url = `http://127.0.0.1:${LOG_VIEW_PORT}`;
  const server = spawn(process.execPath, ["apps/web/dist/server.mjs"], {
    cwd: REPO_ROOT,
    env: childEnv({ DATABASE_URL: databaseUrl, PORT: String(LOG_VIEW_PORT), WHARF_PUBLIC_URL: url, NEXTAUTH_URL: url, WHARF_DATA_DIR: mkdtempSync(path.join(tmpdir(), "wharf-bench-web-")) }),
    stdio: "ignore",
    detached: true,
  });
  try {
    await waitForHealth(url, 120_000);
    process.stdout.write(`\nLogs tab receiving 1,000,000 lines (Chromium, production build)\n`);
    const code = await runCommand("npx", ["tsx", "e2e/bench/log-view.bench.ts", `${url}/stacks/${stack.id}`, owner.email, LOG_VIEW_PASSWORD]);
    if (code !== 0) throw new Error(`the log view measurement exited with ${code}`);
  } finally {
    if (server.pid !== undefined) process.kill(-server.pid, "SIGTERM");
  }
}

// An agent keeps a compose supervisor started ahead of need (`wharf-agent supervise`) for 10 s after its last run, then it exits.
const SPARE_SUPERVISOR_MS = 15_000;

/** Says what the bench left running that was not running before it, and records the count (target: none). */
async function reportLeftovers(before: Snapshot): Promise<void> {
  let left = leftovers(before, takeSnapshot(before));
  const deadline = Date.now() + SPARE_SUPERVISOR_MS;
  while (left.some((item) => item.endsWith("/wharf-agent supervise")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = leftovers(before, takeSnapshot(before));
  }
  process.stdout.write(`\nLeft behind by the bench (processes, agents, namespaces, containers): ${left.length === 0 ? "nothing" : `${left.length}\n  ${left.join("\n  ")}`}\n`);
  recordFigure({ part: "cleanup", name: "processes, agents, namespaces, containers left behind", value: left.length, unit: "items", target: { max: 0 } });
}

const PARTS = ["agent", "refresh", "stacks", "recovery", "log-view", "log-burst", "footprint", "soak", "terminal", "live-stats", "rest", "images", "folders", "push"] as const;

/** The production build the web parts run (`node apps/web/dist/server.mjs`), made once if missing. */
async function ensureWebBuild(): Promise<void> {
  if (existsSync(path.join(REPO_ROOT, "apps/web/dist/server.mjs")) && existsSync(path.join(REPO_ROOT, "apps/web/.next/BUILD_ID"))) return;
  await mustRun("Web app (production build)", "npm", ["run", "build", "-w", "@wharf/web"]);
}

async function main(): Promise<void> {
  const wanted = z.array(z.enum(PARTS)).parse(process.argv.slice(2));
  const runs = (part: (typeof PARTS)[number]): boolean => wanted.length === 0 || wanted.includes(part);
  const { startedSandbox } = await prepareHosts(2, { reuseRunning: true });
  const before = takeSnapshot();
  const postgres = await startTestPostgres(["wharf_bench"]);
  const deps = createTestDeps(postgres.url);
  try {
    if (runs("agent")) await agentLatency(deps);
    if (runs("refresh")) await refreshFanOut(deps, before);
    if (runs("stacks")) await stackFigures(deps);
    if (runs("recovery")) await recoveryFigures(deps);
    if (runs("log-view")) await logViewFigures(deps, postgres.url);
    if (runs("log-burst")) {
      await ensureWebBuild();
      await logBurstFigures(deps, postgres.url);
    }
    if (runs("footprint")) {
      await agentFootprintFigures(deps);
      await ensureWebBuild();
      await webFootprintFigures(postgres.url);
    }
    if (runs("soak")) await agentSoakFigures(deps);
    if (runs("terminal")) await terminalFigures(deps);
    if (runs("rest")) {
      await ensureWebBuild();
      await restFigures(deps, postgres.url);
    }
    if (runs("live-stats")) await liveStatsFigures(deps);
    if (runs("images")) {
      await ensureWebBuild();
      await imagePageFigures(deps, postgres.url);
    }
    if (runs("folders")) await folderFigures(deps);
    if (runs("push")) await pushFigures(deps);
  } finally {
    await stopStartedAgents(deps, before).catch((error: unknown) => process.stderr.write(`could not stop the bench's agents: ${String(error)}\n`));
    await closeWharfDeps(deps);
    await postgres.stop();
    if (startedSandbox) await stopSandbox();
  }
  await reportLeftovers(before);
  process.stdout.write(`\nAll figures\n${renderFigureTable()}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
