/**
 * Log bursts into an open Logs tab (`npm run bench -- log-burst`), against
 * sandbox host h1 and the production web server in Chromium:
 * 1. Live: a container prints 200,000 lines at once. Time from the burst's
 *    start until its last line is on screen, beside the time raw
 *    `docker compose logs -f` takes to print the same burst; bursts
 *    alternate between the two, median of RUNS.
 * 2. "All lines" of that 200,000-line history: time from picking it in the
 *    Tail menu until the last line is on screen, beside raw
 *    `docker compose logs -f` printing the whole history; alternating, median
 *    of RUNS, with the web server's and the agent's CPU time per read.
 * Long tasks (PerformanceObserver 'longtask') in the page are counted during each.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { type CDPSession, chromium, type Page } from "@playwright/test";
import type { WharfDeps } from "@wharf/api";

import { createTestUser } from "./api";
import { benchHost } from "./bench-footprint";
import { recordFigure } from "./bench-report";
import { childEnv, testEnv } from "./env";
import type { SandboxHost } from "./sandbox";
import { median } from "./stats";
import { startWebServer } from "./web-server";

const LINES = 200_000;
const RUNS = 3;
const WEB_PORT = 3305;
const PASSWORD = "correct horse battery";
const IMAGE = "wharf-test/busybox:latest";
// Each burst waits for /go, then prints LINES lines tagged with its contents.
const BURST = `services:
  burst:
    image: ${IMAGE}
    init: true
    command:
      - sh
      - -c
      - |
        while true; do
          while [ ! -e /go ]; do sleep 0.02; done
          r=$$(cat /go); rm /go
          awk -v r="$$r" 'BEGIN { for (i = 1; i <= ${LINES}; i++) printf "burst %s line %d of the benchmark log, padded to a typical length\\n", r, i }'
        done
`;

const HISTORY = `services:
  history:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) printf \\"history line %d of the benchmark log, padded to a typical length\\\\n\\", i }'; exec sleep 1000000"]
`;

/** CPU time (user + system) `pid` has used so far, in ms: unlike wall time, barely moved by other load on the machine. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // utime and stime are the 14th and 15th fields; the command before them may hold spaces, so count from its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
// sysconf(_SC_CLK_TCK), 100 on Linux.
const CLOCK_TICKS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lastLine = (run: string): string => `burst ${run} line ${LINES} of`;

function docker(host: SandboxHost, args: string[]): string {
  return execFileSync("docker", args, { env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }), encoding: "utf8" });
}

/** Raw `compose logs -f` of the project: resolves with ms from `start()` until `count` lines whose text includes `until` were printed. */
function rawFollow(host: SandboxHost, project: string, dir: string, tail: "0" | "all"): { ready: Promise<void>; until: (marker: string, start: () => void) => Promise<number>; stop: () => void } {
  const child = spawn("docker", ["compose", "--project-name", project, "-f", "compose.yaml", "logs", "-f", "--no-color", "--no-log-prefix", "--tail", tail], {
    cwd: dir,
    env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }),
    stdio: ["ignore", "pipe", "ignore"],
  });
  let text = "";
  const waiters: { marker: string; resolve: () => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    // Only the tail is kept: the marker is the burst's last line.
    text = (text + chunk.toString("utf8")).slice(-4096);
    for (const waiter of waiters.splice(0)) {
      if (text.includes(waiter.marker)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  return {
    // compose prints nothing until a line comes: give it time to attach.
    ready: sleep(1_500).then(() => undefined),
    until: (marker, start) =>
      new Promise((resolve) => {
        const started = performance.now();
        waiters.push({ marker, resolve: () => resolve(performance.now() - started) });
        start();
      }),
    stop: () => child.kill(),
  };
}

/** What the functions below use of the page's globals (this package is typed for Node, not the DOM). */
interface PageGlobals {
  __burst: { found: number; longTasks: number[] } | undefined;
  document: { querySelector(selector: string): { textContent: string | null } | null };
  requestAnimationFrame(callback: () => void): number;
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => { observe(options: { entryTypes: string[] }): void };
}

/** In the page: watches the log box every frame until `text` shows; long tasks counted from now. */
async function watchFor(page: Page, text: string): Promise<void> {
  await page.evaluate((marker) => {
    const w = globalThis as unknown as PageGlobals;
    // One observer per page: one per call counted each long task of a later run several times.
    if (w.__burst === undefined) {
      new w.PerformanceObserver((list) => list.getEntries().forEach((entry) => w.__burst?.longTasks.push(entry.duration))).observe({ entryTypes: ["longtask"] });
    }
    const state = { found: 0, longTasks: [] };
    w.__burst = state;
    const check = (): void => {
      if (w.document.querySelector('[role="log"]')?.textContent?.includes(marker)) state.found = Date.now();
      else w.requestAnimationFrame(check);
    };
    w.requestAnimationFrame(check);
  }, text);
}

async function seen(page: Page, startedAt: number): Promise<{ ms: number; longTasks: number[] }> {
  await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).__burst?.found ?? 0) > 0, undefined, { timeout: 300_000, polling: 200 });
  const result = await page.evaluate(() => (globalThis as unknown as PageGlobals).__burst ?? { found: 0, longTasks: [] });
  return { ms: result.found - startedAt, longTasks: result.longTasks };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

/** With WHARF_BENCH_PROFILE: samples the page's main thread (Chromium's profiler) until the returned stop, then prints the functions that took most of it. */
async function profilePage(page: Page, title: string): Promise<() => Promise<void>> {
  if (!testEnv.profile) return () => Promise.resolve();
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    await cdp.detach();
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const frame = nodes.get(id)?.callFrame;
      const micros = profile.timeDeltas[index] ?? 0;
      total += micros;
      if (!frame) return;
      const where = frame.url ? `${frame.url.replace(/^.*\/_next\//, "")}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : "";
      const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + micros);
    });
    process.stdout.write(`  profile of ${title}: ${(total / 1000).toFixed(0)} ms sampled; most self time:\n`);
    for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`    ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
  };
}

async function waitForJob(deps: WharfDeps, id: string): Promise<void> {
  for (;;) {
    const job = await deps.db.deployment.findUniqueOrThrow({ where: { id }, select: { status: true, error: true } });
    if (job.status === "SUCCEEDED") return;
    if (job.status === "FAILED" || job.status === "CANCELLED") throw new Error(`the burst stack's deploy ended ${job.status}: ${job.error ?? ""}`);
    await sleep(200);
  }
}

function composeDir(content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-bench-burst-"));
  writeFileSync(path.join(dir, "compose.yaml"), content);
  return dir;
}

export async function logBurstFigures(deps: WharfDeps, databaseUrl: string): Promise<void> {
  const owner = await createTestUser(deps, { password: PASSWORD });
  const { hostId, host, pid: agentPid, stop: stopAgent } = await benchHost(deps, owner);
  const stack = await owner.caller.stack.create({ name: `bench-burst-${Date.now().toString(36)}`, targets: [{ hostId }], revision: { files: [{ path: "compose.yaml", content: BURST }] } });
  const history = await owner.caller.stack.create({ name: `bench-history-${Date.now().toString(36)}`, targets: [{ hostId }], revision: { files: [{ path: "compose.yaml", content: HISTORY }] } });
  const dir = composeDir(BURST);
  const historyDir = composeDir(HISTORY);
  // The server shares this process's data directory: its runner must open the host key sealed here.
  const server = await startWebServer({ databaseUrl, port: WEB_PORT, dataDir: deps.config.dataDir });
  const { url } = server;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    for (const { id } of [stack, history]) {
      const [job] = await owner.caller.deployment.start({ stackId: id, action: "DEPLOY" });
      await waitForJob(deps, job?.id ?? "");
    }
    const container = `${stack.name}-burst-1`;
    const burst = (run: string) => () => docker(host, ["exec", container, "sh", "-c", `echo ${run} > /go`]);

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(120_000);
    // tsx compiles this file with esbuild's keepNames: functions sent to the page call its __name helper.
    await page.addInitScript("globalThis.__name = (target) => target;");
    await page.goto(`${url}/signin`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((current) => !current.pathname.startsWith("/signin"));
    await page.goto(`${url}/stacks/${stack.id}?tab=logs`);
    await page.getByText("Live", { exact: true }).first().waitFor();

    process.stdout.write(`\nLog bursts of ${LINES.toLocaleString("en")} lines into the Logs tab (Chromium, production server, h1), runs alternating\n`);
    const raw: number[] = [];
    const wharf: number[] = [];
    const longTasks: number[] = [];
    const stopLiveProfile = await profilePage(page, "the live bursts");
    for (let run = 1; run <= RUNS; run++) {
      const follower = rawFollow(host, stack.name, dir, "0");
      await follower.ready;
      raw.push(await follower.until(lastLine(`raw${run}`), burst(`raw${run}`)));
      follower.stop();
      await sleep(1_000);

      await watchFor(page, lastLine(`page${run}`));
      const startedAt = Date.now();
      burst(`page${run}`)();
      const result = await seen(page, startedAt);
      wharf.push(result.ms);
      longTasks.push(...result.longTasks);
      process.stdout.write(`  run ${run}: raw compose logs -f ${raw.at(-1)?.toFixed(0)} ms, Logs tab ${result.ms} ms, long tasks ${result.longTasks.length} (max ${Math.max(0, ...result.longTasks).toFixed(0)} ms)\n`);
      await sleep(1_000);
    }
    await stopLiveProfile();
    const ratio = median(wharf) / median(raw);
    process.stdout.write(`  live burst: raw median ${median(raw).toFixed(0)} ms, Logs tab median ${median(wharf).toFixed(0)} ms = ${ratio.toFixed(2)}x\n`);
    recordFigure({ part: "log-burst", name: "live burst to last line on screen / raw compose logs -f", value: ratio, unit: "x", target: { max: 1.2 } });
    recordFigure({ part: "log-burst", name: "live burst, longest task in the page", value: Math.max(0, ...longTasks), unit: "ms", target: { max: 50 } });
    recordFigure({ part: "log-burst", name: "live burst, long tasks per burst", value: longTasks.length / RUNS, unit: "tasks" });

    // "All lines" of the history stack, whose container printed LINES lines and went quiet; runs alternate with raw.
    const historyLast = `history line ${LINES} of`;
    await page.goto(`${url}/stacks/${history.id}?tab=logs`);
    await page.getByText("Live", { exact: true }).first().waitFor();
    const tail = page.getByLabel("Tail (per container)");
    const rawAll: number[] = [];
    const pageAll: number[] = [];
    const allLongTasks: number[] = [];
    const serverCpu: number[] = [];
    const agentCpu: number[] = [];
    const serverPid = server.process.pid ?? 0;
    const stopAllProfile = await profilePage(page, "All lines");
    for (let run = 1; run <= RUNS; run++) {
      const everything = rawFollow(host, history.name, historyDir, "all");
      rawAll.push(await everything.until(historyLast, () => undefined));
      everything.stop();
      await sleep(1_000);
      // A short tail shows the last line; once it did, the view is emptied, so only the new stream can show it again.
      await tail.selectOption("500");
      await watchFor(page, historyLast);
      await seen(page, Date.now());
      await page.getByRole("button", { name: "Clear the view" }).click();
      await watchFor(page, historyLast);
      const cpuBefore = { server: cpuMs(serverPid), agent: cpuMs(agentPid()) };
      const startedAt = Date.now();
      await tail.selectOption("all");
      const all = await seen(page, startedAt);
      serverCpu.push(cpuMs(serverPid) - cpuBefore.server);
      agentCpu.push(cpuMs(agentPid()) - cpuBefore.agent);
      pageAll.push(all.ms);
      allLongTasks.push(...all.longTasks);
      process.stdout.write(
        `  All lines, run ${run}: raw compose logs -f ${rawAll.at(-1)?.toFixed(0)} ms, Logs tab ${all.ms} ms, long tasks ${all.longTasks.length} (max ${Math.max(0, ...all.longTasks).toFixed(0)} ms); CPU: web server ${serverCpu.at(-1)?.toFixed(0)} ms, agent ${agentCpu.at(-1)?.toFixed(0)} ms\n`,
      );
      await sleep(1_000);
    }
    await stopAllProfile();
    const allRatio = median(pageAll) / median(rawAll);
    process.stdout.write(`  All lines of a ${LINES.toLocaleString("en")}-line history: raw median ${median(rawAll).toFixed(0)} ms, Logs tab median ${median(pageAll).toFixed(0)} ms = ${allRatio.toFixed(2)}x\n`);
    recordFigure({ part: "log-burst", name: "All lines of a 200k-line history / raw compose logs -f", value: allRatio, unit: "x", target: { max: 1.2 } });
    recordFigure({ part: "log-burst", name: "All lines, longest task in the page", value: Math.max(0, ...allLongTasks), unit: "ms", target: { max: 50 } });
    recordFigure({ part: "log-burst", name: "All lines, web server CPU per read", value: median(serverCpu), unit: "ms" });
    recordFigure({ part: "log-burst", name: "All lines, agent CPU per read", value: median(agentCpu), unit: "ms" });
  } finally {
    await browser.close();
    for (const container of [`${stack.name}-burst-1`, `${history.name}-history-1`]) {
      try {
        docker(host, ["rm", "-f", container]);
      } catch {
        // Not deployed.
      }
    }
    await server.stop();
    stopAgent();
  }
}
