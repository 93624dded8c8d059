/**
 * Terminal keystroke round trip: one character typed until its echo comes
 * back, through Wharf (API call -> SSH tunnel -> agent -> docker exec, output
 * back through the agent's stream) vs `docker exec -it` run on the host (the
 * Docker CLI on the engine's own socket, under a pty from `script`).
 */
import { spawn } from "node:child_process";

import { createCaller, type WharfDeps } from "@wharf/api";

import { createTestUser } from "./api";
import { recordFigure } from "./bench-report";
import { addH1 } from "./bench-stacks";
import { childEnv } from "./env";
import { dockerCli, loadSandbox } from "./sandbox";
import { percentile } from "./stats";

const SAMPLES = 100;
const KEYS = "abcdefghijklmnopqrstuvwxyz";
const IMAGE = "wharf-test/busybox:latest";

/** Types `count` keys one at a time; each sample is the time until that key shows in the output. */
async function echoTimes(count: number, send: (key: string) => Promise<unknown> | void, output: () => string): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const key = KEYS[index % KEYS.length] ?? "a";
    const seen = output().length;
    const started = performance.now();
    void send(key);
    while (!output().slice(seen).includes(key)) await new Promise((resolve) => setImmediate(resolve));
    samples.push(performance.now() - started);
    // Ctrl-U: keep the line short, so the echo stays one character.
    if (index % KEYS.length === KEYS.length - 1) await send("\x15");
  }
  return samples.sort((a, b) => a - b);
}

async function viaWharf(deps: WharfDeps, container: string): Promise<number[]> {
  const owner = await createTestUser(deps);
  const host = loadSandbox().hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const hostId = await addH1(owner, host);
  const abort = new AbortController();
  const caller = createCaller({ deps, session: { userId: owner.userId }, requestedTeamId: null, ip: "127.0.0.1" }, { signal: abort.signal });
  const events = (await caller.container.terminal({ hostId, containerId: container, cols: 120, rows: 40 })) as AsyncIterable<{ type: string; sessionId?: string; data?: string }>;
  let output = "";
  let sessionId = "";
  const reading = (async () => {
    try {
      for await (const event of events) {
        if (event.type === "session") sessionId = event.sessionId ?? "";
        if (event.type === "output") output += Buffer.from(event.data ?? "", "base64").toString("utf8");
      }
    } catch {
      // Aborted at the end.
    }
  })();
  while (!/[#$] /.test(output)) await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    return await echoTimes(SAMPLES, (key) => caller.container.terminalInput({ hostId, sessionId, data: key }), () => output);
  } finally {
    abort.abort();
    await reading;
  }
}

async function viaDockerExec(socket: string, container: string): Promise<number[]> {
  // `script` gives the Docker CLI the pty that -it needs; every token of its command is fixed or generated here.
  const child = spawn("script", ["-qfc", `docker exec -it ${container} sh`, "/dev/null"], { env: childEnv({ DOCKER_HOST: `unix://${socket}` }), stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  while (!/[#$] /.test(output)) await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    return await echoTimes(SAMPLES, (key) => void child.stdin.write(key), () => output);
  } finally {
    // The shell exits on its own; killing `script` instead would print its "Session terminated" notice into the report.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin.write("\x15exit\n");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill();
  }
}

export async function terminalFigures(deps: WharfDeps): Promise<void> {
  const host = loadSandbox().hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const container = `bench-term-${Date.now().toString(36)}`;
  dockerCli(host, ["run", "-d", "--init", "--name", container, IMAGE, "sleep", "1000000"]);
  try {
    const wharf = await viaWharf(deps, container);
    const direct = await viaDockerExec(host.dockerSocket, container);
    const [w50, w99, d50, d99] = [percentile(wharf, 50), percentile(wharf, 99), percentile(direct, 50), percentile(direct, 99)];
    process.stdout.write(`\nTerminal keystroke to echo, ${SAMPLES} keys: Wharf (API -> SSH -> agent -> docker exec) vs docker exec -it on the host\n`);
    process.stdout.write(`  Wharf p50 ${w50.toFixed(2)} ms  p99 ${w99.toFixed(2)} ms   docker exec -it p50 ${d50.toFixed(2)} ms  p99 ${d99.toFixed(2)} ms\n`);
    recordFigure({ part: "terminal", name: "keystroke echo p50 through Wharf", value: w50, unit: "ms", target: { max: 50 } });
    recordFigure({ part: "terminal", name: "keystroke echo p99 through Wharf", value: w99, unit: "ms", target: { max: 150 } });
    recordFigure({ part: "terminal", name: "keystroke echo p50, docker exec -it on the host", value: d50, unit: "ms" });
    recordFigure({ part: "terminal", name: "keystroke echo p99, docker exec -it on the host", value: d99, unit: "ms" });
    recordFigure({ part: "terminal", name: "keystroke echo p50 ratio (Wharf / docker exec)", value: w50 / d50, unit: "x" });
  } finally {
    dockerCli(host, ["rm", "-f", container]);
  }
}
