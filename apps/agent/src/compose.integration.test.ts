import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { type IncomingMessage, request } from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

import {
  agentCalls,
  type AgentMethod,
  agentResponse,
  type AgentResult,
  CALL_PATH,
  type ComposeLogBatch,
  composeLogBatch,
  type ComposeProjectInput,
  type ComposeRunData,
  composeRunData,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  STREAM_PATH,
} from "@wharf/agent-protocol";
import { childEnv } from "@wharf/testing/env";
import { treeHash } from "@wharf/testing/files";
import { processesMentioning } from "@wharf/testing/processes";
import { loadSandbox } from "@wharf/testing/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { type JsonAnswer, openStream, postJson } from "./test-support/agent-http";

// Stacks through the built agent against the sandbox's dockerd on h1, with
// the compose the host has (v2 here); a second agent that only finds compose
// v1 runs the same basics when docker-compose 1.x is installed.

const execFileAsync = promisify(execFile);
const agentRoot = path.resolve(import.meta.dirname, "..");
const binary = path.join(agentRoot, "dist/wharf-agent");
const tmp = mkdtempSync(path.join(os.tmpdir(), "wharf-compose-it-"));
const suffix = randomBytes(3).toString("hex");
const IMAGE = "wharf-test/busybox:latest";
/** Made by any injected command that ran. */
const marker = path.join(tmp, "pwned");

let dockerSocket: string;
let docker: Docker;
const agents: ChildProcess[] = [];
/** Projects to take down at the end, whatever happened. */
const projects = new Set<string>();

const BASE = `services:
  web:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "i=0; while true; do echo \\"web $$i\\"; i=$$((i+1)); sleep 0.2; done"]
`;
const SERVICE = `services:
  web:
    environment:
      ROLE: web
  worker:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "i=0; while true; do echo \\"worker $$i\\" >&2; i=$$((i+1)); sleep 0.2; done"]
`;

function stack(name: string, overrides: Partial<ComposeProjectInput> = {}): ComposeProjectInput {
  projects.add(name);
  return {
    name,
    files: [
      { path: "docker-compose.sample-service.yaml", content: BASE },
      { path: "service/docker-compose.service.yaml", content: SERVICE },
    ],
    ...overrides,
  };
}

/** A value that tests both dotenv dialects: quotes, a backslash, $ before a name and alone. */
const TRICKY = `it's "quoted" \\ $HOME and $ alone`;

/** A one-file project whose web service gets TRICKY from `.env`, and what compose made of it. */
function trickyEnvProject(name: string, value: string): ComposeProjectInput {
  return stack(name, { env: [{ key: "TRICKY", value }], files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    environment:\n      TRICKY: \${TRICKY}\n` }] });
}
function trickyValue(merged: string): unknown {
  const config = parse(merged) as { services: { web: { environment: Record<string, string> } } };
  // compose config prints $ as $$ (its own escape).
  return config.services.web.environment.TRICKY?.replaceAll("$$", "$");
}

async function serve(name: string, env: Record<string, string>): Promise<{ child: ChildProcess; socket: string }> {
  const socket = path.join(tmp, name, "agent.sock");
  const child = spawn(binary, ["serve", "--socket", socket], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  agents.push(child);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`agent ${name} did not start:\n${stderr}`);
    const answer = await postJson(socket, CALL_PATH, { method: "hello", params: {} }).catch(() => null);
    if (answer?.status === 200) return { child, socket };
    await sleep(25);
  }
}

function call(socket: string, method: AgentMethod, params: object): Promise<JsonAnswer> {
  return postJson(socket, CALL_PATH, { method, params });
}

async function result<M extends AgentMethod>(socket: string, method: M, params: object): Promise<AgentResult<M>> {
  const answer = await call(socket, method, params);
  const response = agentResponse.parse(answer.body);
  if (!response.ok) throw new Error(`${method} failed: ${response.error.code} ${response.error.message}`);
  return agentCalls[method].result.parse(response.result) as AgentResult<M>;
}

async function failure(socket: string, method: AgentMethod, params: object) {
  const answer = await call(socket, method, params);
  const response = agentResponse.parse(answer.body);
  if (response.ok) throw new Error(`${method} succeeded, expected a failure`);
  return { status: answer.status, ...response.error };
}

/** Runs a compose action to its end; returns the output lines and the exit frame. */
let runs = 0;
function newRunId(): string {
  return `it-${suffix}-${runs++}`;
}

async function run(socket: string, params: object): Promise<{ lines: string[]; exit: Extract<ComposeRunData, { kind: "exit" }>; ms: number }> {
  return follow(socket, "composeRun", { runId: newRunId(), ...params });
}

/** Reads a composeRun or composeAttach stream to its exit frame. */
async function follow(socket: string, method: "composeRun" | "composeAttach", params: object): Promise<{ lines: string[]; exit: Extract<ComposeRunData, { kind: "exit" }>; ms: number }> {
  const started = performance.now();
  const stream = await openStream(socket, STREAM_PATH, { method, params });
  if (stream.status !== 200) throw new Error(`${method} answered ${stream.status}`);
  const lines: string[] = [];
  for (;;) {
    const frame = await stream.next();
    if (frame.type === "error") throw new Error(`${method} failed: ${frame.error.message}`);
    if (frame.type === "end") throw new Error(`${method} ended without an exit frame`);
    const data = composeRunData.parse(frame.data);
    if (data.kind === "output") lines.push(data.line);
    else {
      expect((await stream.next()).type).toBe("end");
      return { lines, exit: data, ms: performance.now() - started };
    }
  }
}

/** The docker CLI (with compose) against h1, in `cwd`. */
async function cli(args: string[], cwd = tmp, command = "docker"): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    cwd,
    env: childEnv({ DOCKER_HOST: `unix://${dockerSocket}` }),
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

async function containersOf(project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
}

/** A composeRun the agent refused before starting compose: its status and error. */
async function refusedRun(socket: string, params: object) {
  const answer = await postJson(socket, STREAM_PATH, { method: "composeRun", params: { runId: newRunId(), ...params } });
  const response = agentResponse.parse(answer.body);
  if (response.ok) throw new Error("composeRun was accepted, expected a refusal");
  return { status: answer.status, ...response.error };
}

/** A raw NDJSON stream: every frame parsed with JSON.parse only, as a forwarding control plane would. */
function openRaw(socket: string, payload: object): Promise<IncomingMessage> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: socket,
      path: STREAM_PATH,
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end(body);
  });
}

/** Reads log batches until `enough` says stop or the stream ends; returns the batches. */
async function readLogs(res: IncomingMessage, enough: (batches: ComposeLogBatch[], lines: number) => boolean = () => false, validate = true) {
  const batches: ComposeLogBatch[] = [];
  let lines = 0;
  let pending = "";
  let ended = false;
  outer: for await (const chunk of res) {
    const parts = (pending + (chunk as Buffer).toString("utf8")).split("\n");
    pending = parts.pop() ?? "";
    for (const part of parts) {
      const frame = JSON.parse(part) as { type: string; data?: ComposeLogBatch };
      if (frame.type === "end") {
        ended = true;
        break outer;
      }
      if (frame.type !== "data" || frame.data === undefined) throw new Error(`unexpected frame ${part}`);
      const batch = validate ? composeLogBatch.parse(frame.data) : frame.data;
      lines += batch.lines.length;
      if (validate) batches.push(batch);
      if (enough(batches, lines)) {
        res.destroy();
        break outer;
      }
    }
  }
  return { batches, lines, ended };
}

function dockerdArgv(): string[] {
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "dockerd" && argv.some((arg) => arg.endsWith(dockerSocket))) return argv;
    } catch {
      // Gone since the listing.
    }
  }
  return [];
}

let agent: { child: ChildProcess; socket: string };
let stacksDir: string;

beforeAll(async () => {
  await execFileAsync("npm", ["run", "build"], { cwd: agentRoot, maxBuffer: 16 * 1024 * 1024 });
  const h1 = loadSandbox().hosts.find((host) => host.name === "h1");
  if (!h1) throw new Error("sandbox host h1 missing: run docker/sandbox/sandbox.sh up --hosts 2");
  dockerSocket = h1.dockerSocket;
  docker = new Docker({ socketPath: dockerSocket });
  // Like a host's sshd session: DOCKER_HOST and nothing else; the agent finds docker on its default PATH.
  agent = await serve("main", { DOCKER_HOST: `unix://${dockerSocket}` });
  stacksDir = path.join(tmp, "main", "stacks");
});

afterAll(async () => {
  for (const child of agents) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  try {
    for (const name of projects) {
      for (const container of await containersOf(name)) await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
      const networks = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${name}`] } });
      for (const network of networks) await docker.getNetwork(network.Id).remove().catch(() => undefined);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

describe("a two-file stack through the agent", () => {
  const name = `it-stack-${suffix}`;

  it("composeConfig returns exactly what `docker compose config` prints in the live directory, and leaves that directory as it was", async () => {
    // Relative paths are printed absolute: they must name the live directory, not the copy compose checked.
    const withPaths = `${SERVICE}    volumes:\n      - ./data:/data\n      - ../shared:/shared\n    build: ./app\n`;
    const project = stack(name, {
      files: [
        { path: "docker-compose.sample-service.yaml", content: BASE },
        { path: "service/docker-compose.service.yaml", content: withPaths },
      ],
      env: [{ key: "DRAFT_SECRET", value: "not-saved-yet" }],
    });
    const dir = path.join(stacksDir, name);
    // The host runs an older revision; a check of a new one must not touch it.
    mkdirSync(path.join(dir, "service"), { recursive: true });
    writeFileSync(path.join(dir, "docker-compose.sample-service.yaml"), BASE);
    writeFileSync(path.join(dir, "service/docker-compose.service.yaml"), SERVICE);
    const before = treeHash(stacksDir);

    const config = await result(agent.socket, "composeConfig", { project });
    const preflight = await result(agent.socket, "preflight", { hostLabel: "h1", project, limits: { services: {} } });
    expect(treeHash(stacksDir)).toBe(before);
    expect(readdirSync(path.join(tmp, "main", "scratch"))).toEqual([]);
    expect(preflight.merged).toBe(config.merged);

    for (const file of project.files) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.content);
    }
    writeFileSync(path.join(dir, ".env"), "DRAFT_SECRET=not-saved-yet\n");
    const cliOutput = await cli(
      ["compose", "-p", name, "--project-directory", dir, "-f", "docker-compose.sample-service.yaml", "-f", "service/docker-compose.service.yaml", "config"],
      dir,
    );
    expect(config.merged).toBe(cliOutput);
    expect(config.merged).toContain(`source: ${path.join(dir, "data")}\n`);
    expect(config.merged).toContain(`source: ${path.join(stacksDir, "shared")}\n`);
    expect(config.merged).toContain(`context: ${path.join(dir, "app")}\n`);
    expect(config.merged).toContain("ROLE: web");
    expect(config).toMatchObject({ services: ["web", "worker"], images: [IMAGE], compose: { flavor: "v2" } });
    rmSync(dir, { recursive: true });
  });

  it("writes .env so compose v2 reads every value exactly", async () => {
    const config = await result(agent.socket, "composeConfig", { project: trickyEnvProject(`${name}-env`, TRICKY) });
    expect(trickyValue(config.merged)).toBe(TRICKY);
  });

  it("up starts both services; composePs, stats and image digests describe them", async () => {
    const up = await run(agent.socket, { project: stack(name), action: "up", imageDigests: true });
    expect(up.exit).toMatchObject({ exitCode: 0, signal: null });
    expect(up.lines.join("\n")).toMatch(/Container it-stack-\w+-web-1\s+Started/);

    const ps = await result(agent.socket, "composePs", { name });
    expect(ps.services.map((service) => service.service)).toEqual(["web", "worker"]);
    const image = await docker.getImage(IMAGE).inspect();
    for (const service of ps.services) {
      expect(service.containers).toHaveLength(1);
      expect(service.containers[0]).toMatchObject({ name: `${name}-${service.service}-1`, state: "running", exitCode: null, restartCount: 0, image: IMAGE, imageId: image.Id });
    }
    const ids = (await containersOf(name)).map((container) => container.Id).sort();
    expect(ps.services.flatMap((service) => service.containers.map((container) => container.id)).sort()).toEqual(ids);

    const stats = await result(agent.socket, "containerStats", { name });
    expect(stats.containers.map((entry) => entry.service)).toEqual(["web", "worker"]);
    for (const entry of stats.containers) {
      expect(entry.memoryUsageBytes).toBeGreaterThan(0);
      expect(entry.memoryLimitBytes).toBeGreaterThan(entry.memoryUsageBytes);
      expect(entry.cpuPercent).toBeGreaterThanOrEqual(0);
    }

    const digests = await result(agent.socket, "composeImageDigests", { name });
    expect(digests.images).toEqual([
      { service: "web", image: IMAGE, imageId: image.Id, repoDigests: image.RepoDigests ?? [], containers: [`${name}-web-1`] },
      { service: "worker", image: IMAGE, imageId: image.Id, repoDigests: image.RepoDigests ?? [], containers: [`${name}-worker-1`] },
    ]);
    // Asked for with the run: the same answer in its exit frame, without the call.
    expect(up.exit.images).toEqual(digests.images);
  });

  it("logs follow both services interleaved, each line attributed to its service", async () => {
    const res = await openRaw(agent.socket, { method: "composeLogs", params: { name, tail: 2, follow: true } });
    expect(res.statusCode).toBe(200);
    const counts = (batches: ComposeLogBatch[]) => ({
      web: batches.filter((batch) => batch.service === "web").reduce((n, batch) => n + batch.lines.length, 0),
      worker: batches.filter((batch) => batch.service === "worker").reduce((n, batch) => n + batch.lines.length, 0),
    });
    const { batches } = await readLogs(res, (seen) => counts(seen).web >= 8 && counts(seen).worker >= 8);
    for (const batch of batches) {
      expect(batch.container).toBe(`${name}-${batch.service}-1`);
      for (const line of batch.lines) {
        expect(line.line).toMatch(batch.service === "web" ? /^web \d+$/ : /^worker \d+$/);
        expect(line.stream).toBe(batch.service === "web" ? "stdout" : "stderr");
        expect(line.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      }
    }
    // Interleaved: the service changes from one batch to the next many times, not once.
    const switches = batches.slice(1).filter((batch, i) => batch.service !== batches[i]?.service).length;
    expect(switches).toBeGreaterThanOrEqual(4);
  });

  it("logs without follow end; a service filter and tail apply", async () => {
    const res = await openRaw(agent.socket, { method: "composeLogs", params: { name, services: ["worker"], tail: 3 } });
    const { batches, lines, ended } = await readLogs(res);
    expect(ended).toBe(true);
    expect(lines).toBe(3);
    expect(new Set(batches.map((batch) => batch.service))).toEqual(new Set(["worker"]));
  });

  it("down removes the containers and the network", async () => {
    const down = await run(agent.socket, { project: stack(name), action: "down" });
    expect(down.exit.exitCode).toBe(0);
    expect(await containersOf(name)).toEqual([]);
    expect(await result(agent.socket, "composePs", { name })).toEqual({ services: [] });
    expect(await docker.listNetworks({ filters: { name: [`${name}_default`] } })).toEqual([]);
  });
});

describe("invalid projects", () => {
  it("names the file and line of invalid YAML", async () => {
    const project = stack(`it-yaml-${suffix}`, {
      files: [
        { path: "docker-compose.sample-service.yaml", content: BASE },
        { path: "service/docker-compose.service.yaml", content: "services:\n  worker:\n    image: [unclosed\n" },
      ],
    });
    const error = await failure(agent.socket, "composeConfig", { project });
    expect(error).toMatchObject({ status: 422, code: "COMPOSE_INVALID", details: { file: "service/docker-compose.service.yaml" } });
    expect(error.message).toMatch(/^service\/docker-compose\.service\.yaml line \d+: did not find expected ',' or ']'$/);
  });

  it("names the file and line of an unknown key", async () => {
    const project = stack(`it-key-${suffix}`, {
      files: [
        { path: "docker-compose.sample-service.yaml", content: BASE },
        { path: "service/docker-compose.service.yaml", content: "services:\n  web:\n    environment:\n      A: b\n    frobnicate: true\n" },
      ],
    });
    const error = await failure(agent.socket, "composeConfig", { project });
    expect(error).toEqual({
      status: 422,
      code: "COMPOSE_INVALID",
      message: "service/docker-compose.service.yaml line 5: services.web Additional property frobnicate is not allowed",
      details: { file: "service/docker-compose.service.yaml", line: 5 },
    });
  });

  it("refuses paths that leave the project directory, before touching the disk", async () => {
    for (const bad of ["../escape.yaml", "service/../../escape.yaml", "/tmp/escape.yaml", "a\0b.yaml"]) {
      const project = { name: `it-path-${suffix}`, files: [{ path: bad, content: BASE }] };
      const error = await failure(agent.socket, "composeConfig", { project });
      expect(error, bad).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    }
    expect(existsSync(path.join(stacksDir, "escape.yaml"))).toBe(false);
    expect(existsSync(path.join(tmp, "main", "escape.yaml"))).toBe(false);
    expect(existsSync(path.join(stacksDir, `it-path-${suffix}`))).toBe(false);
  });

  it("never writes through a symlink planted in the project directory", async () => {
    const name = `it-link-${suffix}`;
    const outside = path.join(tmp, "outside");
    mkdirSync(outside);
    mkdirSync(path.join(stacksDir, name), { recursive: true });
    symlinkSync(outside, path.join(stacksDir, name, "service"));
    const error = await refusedRun(agent.socket, { project: stack(name), action: "up" });
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/symlink/) as string });
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe("injection payloads stay data", () => {
  it("rejects hostile project names, file names and service names before running anything", async () => {
    const hostile = `$(touch ${marker})`;
    const cases: [string, object][] = [
      ["composeConfig", { project: { name: `x${hostile}`, files: [{ path: "a.yaml", content: BASE }] } }],
      ["composeConfig", { project: { name: "x", files: [{ path: `${hostile}.yaml`, content: BASE }] } }],
      ["composeConfig", { project: { name: "x", files: [{ path: "a;touch pwned;.yaml", content: BASE }] } }],
      ["composeConfig", { project: { name: "x", files: [{ path: "-f.yaml", content: BASE }] } }],
      ["composeRun", { project: stack(`it-inject-${suffix}`), action: "restart", runId: newRunId(), options: { services: [hostile] } }],
      ["composeRun", { project: stack(`it-inject-${suffix}`), action: "stop", runId: newRunId(), options: { services: ["--timeout=0"] } }],
      ["composeRun", { project: stack(`it-inject-${suffix}`), action: "stop", runId: `../../x${hostile}` }],
      ["composeAttach", { name: `it-inject-${suffix}`, runId: `../${hostile}`, fromLine: 0 }],
      ["composeCancel", { name: `it-inject-${suffix}`, runId: "-rf" }],
      ["composeLogs", { name: `it-inject-${suffix}`, services: ["`touch pwned`"] }],
    ];
    for (const [method, params] of cases) {
      const answer = await postJson(agent.socket, method === "composeConfig" || method === "composeCancel" ? CALL_PATH : STREAM_PATH, { method, params });
      expect(answer.status, JSON.stringify(params)).toBe(400);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("passes shell syntax inside the files to compose as data", async () => {
    const name = `it-inject-${suffix}`;
    const project = stack(name, {
      env: [{ key: "GREETING", value: `$(touch ${marker})` }],
      files: [
        {
          path: "docker-compose.sample-service.yaml",
          content: `services:\n  web:\n    image: ${IMAGE}\n    environment:\n      GREETING: \${GREETING}\n      OTHER: "\`touch ${marker}\`; echo"\n`,
        },
        { path: "service/docker-compose.service.yaml", content: `services:\n  "$(touch ${marker})":\n    image: ${IMAGE}\n` },
      ],
    });
    const error = await failure(agent.socket, "composeConfig", { project });
    expect(error.code).toBe("COMPOSE_INVALID");
    expect(error.details?.file).toBe("service/docker-compose.service.yaml");

    const valid = await result(agent.socket, "composeConfig", { project: { ...project, files: project.files.slice(0, 1) } });
    expect(valid.merged).toContain(`touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("preflight on h1, for real", () => {
  const name = `it-preflight-${suffix}`;
  const preflight = (limits: object) => result(agent.socket, "preflight", { project: stack(name), hostLabel: "h1", limits: { services: { web: limits } } });
  const only = async (limits: object, check: string) => {
    const answer = await preflight(limits);
    const checks = answer.checks.filter((entry) => entry.check === check && entry.service !== null);
    expect(checks, JSON.stringify(answer.checks)).toHaveLength(1);
    return { answer, check: checks[0] };
  };

  it("refuses ulimit rtprio=99 the way the daemon does, with what to do about it", async () => {
    // The oracle: Docker itself, asked directly.
    const direct = await cli(["run", "--rm", "--ulimit", "rtprio=99", IMAGE, "true"]).then(
      () => "granted",
      (error: unknown) => String((error as { stderr?: string }).stderr),
    );
    const { answer, check } = await only({ ulimits: { rtprio: { soft: 99, hard: 99 } } }, "ulimit");
    if (direct === "granted") {
      expect(check?.ok).toBe(true);
      return;
    }
    expect(direct).toMatch(/error setting rlimit type 14: operation not permitted/);
    expect(answer.ok).toBe(false);
    expect(check).toEqual({
      service: "web",
      check: "ulimit",
      ok: false,
      message:
        "host h1 cannot grant ulimit rtprio=99: the Docker daemon's hard RLIMIT_RTPRIO is 0; start dockerd with a higher rtprio limit (LimitRTPRIO=infinity in its systemd unit)",
    });
    // rtprio=0 is within the daemon's limit.
    expect((await only({ ulimits: { rtprio: { soft: 0, hard: 0 } } }, "ulimit")).check?.ok).toBe(true);
    expect(await docker.listContainers({ all: true, filters: { label: ["io.wharf.preflight"] } })).toEqual([]);
  });

  it("grants cpu_rt_runtime within the daemon's budget and refuses more", async () => {
    // The oracle: the daemon's own command line (h1 gets --cpu-rt-runtime=400000 from the sandbox).
    const budget = Number(dockerdArgv().find((arg) => arg.startsWith("--cpu-rt-runtime="))?.split("=")[1] ?? 0);
    // The sandbox gives each of its engines at least this budget.
    expect(budget).toBeGreaterThanOrEqual(300000);
    const granted = await only({ cpuRtRuntime: 300000 }, "cpu-rt-runtime");
    expect(granted.check).toMatchObject({ ok: true, message: `cpu_rt_runtime=300000 fits the Docker daemon's real-time budget of ${budget} µs per period; a test container got it` });
    expect(granted.answer.ok).toBe(true);
    const refused = await only({ cpuRtRuntime: 900000 }, "cpu-rt-runtime");
    expect(refused.check?.message).toBe(
      `host h1 cannot grant cpu_rt_runtime=900000: the Docker daemon grants at most ${budget} µs of real-time CPU per period (--cpu-rt-runtime=${budget}); lower cpu_rt_runtime to at most ${budget} or restart dockerd with a larger --cpu-rt-runtime`,
    );
    expect(refused.answer.ok).toBe(false);
  });

  it("deploys what it granted: a real-time service gets its budget, and preflight still passes while it runs", async () => {
    const budget = Number(dockerdArgv().find((arg) => arg.startsWith("--cpu-rt-runtime="))?.split("=")[1] ?? 0);
    // The sandbox gives each of its engines at least this budget.
    expect(budget).toBeGreaterThanOrEqual(300000);
    const rtName = `it-rt-${suffix}`;
    const limits = `services:\n  web:\n    cpu_rt_runtime: 300000\n    cap_add: [SYS_NICE]\n    ulimits:\n      rtprio: 0\n`;
    const project = stack(rtName, {
      files: [{ path: "docker-compose.sample-service.yaml", content: BASE }],
      overrideFiles: [{ path: "wharf/limits.yaml", content: limits }],
    });
    const before = await result(agent.socket, "preflight", { project, hostLabel: "h1" });
    expect(before.checks.filter((check) => check.check === "cpu-rt-runtime").map((check) => check.ok)).toEqual([true, true]);
    expect((await run(agent.socket, { project, action: "up" })).exit.exitCode).toBe(0);
    expect((await cli(["exec", `${rtName}-web-1`, "cat", "/sys/fs/cgroup/cpu/cpu.rt_runtime_us"])).trim()).toBe("300000");
    // Its own 300000 µs are in use now; a redeploy replaces the container, so the same request still fits.
    const during = await result(agent.socket, "preflight", { project, hostLabel: "h1" });
    expect(during.ok, JSON.stringify(during.checks)).toBe(true);
    expect((await run(agent.socket, { project, action: "down" })).exit.exitCode).toBe(0);
  });

  it("refuses GPUs without an nvidia runtime and memory beyond the host", async () => {
    const info = (await docker.info()) as { MemTotal: number };
    const gpus = await only({ gpus: { count: 1, capabilities: ["gpu"] } }, "gpus");
    expect(gpus.check?.message).toMatch(/^host h1 cannot grant 1 GPU: the host has no nvidia container runtime, so GPUs cannot be granted; /);
    const memory = await only({ memoryBytes: info.MemTotal * 2 }, "memory");
    expect(memory.check?.ok).toBe(false);
    expect(memory.check?.message).toMatch(/^host h1 cannot grant memory=[\d.]+ GiB: the host has [\d.]+ GiB of memory in total; /);
    expect((await only({ memoryBytes: 64 * 1024 * 1024 }, "memory")).check?.ok).toBe(true);
  });

  it("reads limits from the files too, and reports missing images and build contexts", async () => {
    const answer = await result(agent.socket, "preflight", {
      hostLabel: "h1",
      project: stack(name, {
        files: [
          { path: "docker-compose.sample-service.yaml", content: BASE },
          {
            path: "service/docker-compose.service.yaml",
            content: `services:\n  web:\n    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n  missing:\n    image: wharf-test/not-here:1\n  built:\n    build: ./app\n`,
          },
        ],
      }),
    });
    const byService = (service: string, check: string) => answer.checks.find((entry) => entry.service === service && entry.check === check);
    expect(byService("web", "ulimit")).toMatchObject({ ok: true, message: "ulimit nofile=1024:2048: granted to a test container" });
    expect(byService("web", "image")).toMatchObject({ ok: true });
    expect(byService("missing", "image")?.message).toMatch(/^host h1 cannot pull image wharf-test\/not-here:1: it is not on the host and the registry did not provide it/);
    expect(byService("built", "build-context")?.message).toBe(
      "host h1 cannot build service built: its build context app does not exist in the stack directory; add the build context to the stack or use a prebuilt image",
    );
    expect(answer.ok).toBe(false);
  });

  it("refuses an image reference with spaces or quotes as Docker would, instead of failing the request", async () => {
    const answer = await result(agent.socket, "preflight", {
      hostLabel: "h1",
      project: stack(name, {
        files: [
          { path: "docker-compose.sample-service.yaml", content: BASE },
          { path: "service/docker-compose.service.yaml", content: `services:\n  spaced:\n    image: "wharf test/busybox:latest"\n  quoted:\n    image: 'busy"box'\n` },
        ],
      }),
    });
    const image = (service: string) => answer.checks.find((entry) => entry.service === service && entry.check === "image");
    expect(image("spaced")).toMatchObject({
      ok: false,
      message: `host h1 cannot run image "wharf test/busybox:latest": it is not a valid image reference (invalid reference format); fix the service's image: value, e.g. registry.example.com/team/app:1.2`,
    });
    expect(image("quoted")?.ok).toBe(false);
    expect(image("quoted")?.message).toContain(`cannot run image "busy\\"box": it is not a valid image reference (invalid reference format)`);
    expect(image("web")).toMatchObject({ ok: true });
    expect(answer.ok).toBe(false);
  });
});

describe("jobs on one project", () => {
  // An agent that waits only briefly for a busy project, so that giving up is quick to see.
  let quick: { child: ChildProcess; socket: string };
  beforeAll(async () => {
    quick = await serve("quick", { DOCKER_HOST: `unix://${dockerSocket}`, WHARF_AGENT_LOCK_WAIT_MS: "1000" });
  });

  it("compose goes on when the client goes away; another job waits, then gives up naming it; composeCancel kills compose and frees the project", async () => {
    const name = `it-cancel-${suffix}`;
    const stubborn = stack(name, {
      files: [{ path: "docker-compose.yaml", content: `services:\n  stubborn:\n    image: ${IMAGE}\n    command: ["sleep", "100000"]\n    stop_grace_period: 2m\n` }],
    });
    expect((await run(quick.socket, { project: stubborn, action: "up" })).exit.exitCode).toBe(0);

    // sleep as PID 1 ignores SIGTERM: `stop` would wait two minutes.
    const runId = newRunId();
    const stream = await openStream(quick.socket, STREAM_PATH, { method: "composeRun", params: { project: stubborn, action: "stop", runId } });
    const first = await stream.next();
    expect(first.type).toBe("data");
    expect(processesMentioning(name).length).toBeGreaterThan(0);
    // Another job waits for it (here 1 s), then gives up naming what holds the project and since when.
    expect(await refusedRun(quick.socket, { project: stubborn, action: "up" })).toMatchObject({
      status: 409,
      code: "CONFLICT",
      message: expect.stringMatching(/^stack it-cancel-\w+ is busy: compose stop \(started \d{4}-[\d-]+T[\d:.]+Z\) is still running on this host; waited 1 s/) as string,
    });
    // A check never waits for a job.
    expect((await result(quick.socket, "composeConfig", { project: stubborn })).services).toEqual(["stubborn"]);

    // An SSH connection that drops closes the stream too: that is no cancel.
    stream.close();
    await sleep(1_000);
    expect(processesMentioning(name).length).toBeGreaterThan(0);

    expect(await result(quick.socket, "composeCancel", { name, runId })).toEqual({ cancelled: true });
    const deadline = performance.now() + 15_000;
    while (processesMentioning(name).length > 0 && performance.now() < deadline) await sleep(50);
    // Without the kill, stop would still run for two minutes here.
    expect(processesMentioning(name)).toEqual([]);
    const ended = await follow(quick.socket, "composeAttach", { name, runId, fromLine: 0 });
    expect(ended.exit.exitCode).not.toBe(0);
    expect(await result(quick.socket, "composeCancel", { name, runId })).toEqual({ cancelled: false });
    // A zombie has no command line, so compose may be gone from the listing before the agent reaped it and let
    // the project go: the next job waits for that (within the agent's 1 s) instead of failing.
    expect((await run(quick.socket, { project: stubborn, action: "up" })).exit.exitCode).toBe(0);
    expect((await containersOf(name)).map((container) => container.State)).toEqual(["running"]);
  });

  it("a second job waits for the first and then runs", async () => {
    const name = `it-queue-${suffix}`;
    const project = stack(name, { files: [{ path: "compose.yaml", content: `services:\n  app:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "100000"]\n` }] });
    const [up, down] = await Promise.all([run(agent.socket, { project, action: "up" }), run(agent.socket, { project, action: "down" })]);
    expect([up.exit.exitCode, down.exit.exitCode]).toEqual([0, 0]);
    expect(await containersOf(name)).toEqual([]);
  });
});

describe("checks have no side effects", () => {
  // An agent that never waits for a busy project: any lock a check took would fail the job at once.
  let eager: { child: ChildProcess; socket: string };
  beforeAll(async () => {
    // What an agent killed mid-check leaves: a scratch copy with the secrets in its .env.
    mkdirSync(path.join(tmp, "eager", "scratch", "left-behind"), { recursive: true });
    writeFileSync(path.join(tmp, "eager", "scratch", "left-behind", ".env"), "TOKEN=secret\n");
    eager = await serve("eager", { DOCKER_HOST: `unix://${dockerSocket}`, WHARF_AGENT_LOCK_WAIT_MS: "0" });
  });

  it("a starting agent removes the scratch copies an earlier one left", async () => {
    // Removed once the agent serves (it may answer a first call before it is done).
    const leftover = path.join(tmp, "eager", "scratch", "left-behind");
    const deadline = performance.now() + 10_000;
    while (existsSync(leftover) && performance.now() < deadline) await sleep(50);
    expect(existsSync(leftover)).toBe(false);
  });

  it("a deploy started while previews and preflights run in a loop succeeds", async () => {
    const name = `it-busy-${suffix}`;
    const project = stack(name, {
      files: [{ path: "compose.yaml", content: `services:\n  app:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "100000"]\n` }],
      env: [{ key: "TOKEN", value: "draft-secret" }],
    });
    let checking = true;
    let checks = 0;
    const loop = async (): Promise<void> => {
      while (checking) {
        await result(eager.socket, "composeConfig", { project });
        await result(eager.socket, "preflight", { hostLabel: "h1", project, limits: { services: {} } });
        checks += 1;
      }
    };
    const loops = [loop(), loop()];
    while (checks < 2) await sleep(20);
    for (let i = 0; i < 3; i++) expect((await run(eager.socket, { project, action: "up" })).exit.exitCode).toBe(0);
    checking = false;
    await Promise.all(loops);
    expect((await containersOf(name)).map((container) => container.State)).toEqual(["running"]);
    expect(readdirSync(path.join(tmp, "eager", "scratch"))).toEqual([]);
    expect((await run(eager.socket, { project, action: "down" })).exit.exitCode).toBe(0);
  });

  it("a job sent right after a preflight that refused is never told the project is busy (50 times)", async () => {
    const name = `it-refused-${suffix}`;
    const project = stack(name, {
      files: [{ path: "compose.yaml", content: `services:\n  app:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "100000"]\n` }],
    });
    const tooMuch = { services: { app: { memoryBytes: 1024 ** 5 } } };
    for (let i = 0; i < 50; i++) {
      const refused = await result(eager.socket, "preflight", { hostLabel: "h1", project, limits: tooMuch });
      expect(refused.ok).toBe(false);
      expect((await run(eager.socket, { project, action: "stop" })).exit.exitCode).toBe(0);
    }
  });

  it("a job sent right after a preflight that failed early is never told the project is busy (50 times)", async () => {
    // Docker is unreachable: preflight's look at the host fails at once while compose still reads the
    // project (compose config needs no daemon). The answer must wait for that compose.
    const dead = await serve("dead-docker", { DOCKER_HOST: `unix://${path.join(tmp, "no-docker.sock")}`, WHARF_AGENT_LOCK_WAIT_MS: "0" });
    const project = stack(`it-early-${suffix}`, { files: [{ path: "compose.yaml", content: `services:\n  app:\n    image: ${IMAGE}\n` }] });
    for (let i = 0; i < 50; i++) {
      expect(await failure(dead.socket, "preflight", { hostLabel: "h1", project })).toMatchObject({ code: "DOCKER_UNAVAILABLE" });
      // The job is refused for the missing daemon (it cannot see who owns the project), never as busy.
      expect(await refusedRun(dead.socket, { project, action: "stop" })).toMatchObject({ code: "DOCKER_UNAVAILABLE" });
    }
    expect(readdirSync(path.join(tmp, "dead-docker", "scratch"))).toEqual([]);
  });
});

describe("stale-file cleanup against a real container", () => {
  it("keeps authorized_keys outside the project intact when a container plants symlinks and rewrites what it can", async () => {
    const name = `it-attack-${suffix}`;
    const sshDir = path.join(tmp, "home", ".ssh");
    mkdirSync(sshDir, { recursive: true });
    writeFileSync(path.join(sshDir, "authorized_keys"), "ssh-ed25519 AAAA canary\n");
    writeFileSync(path.join(sshDir, "docker-compose.service.yaml"), "canary\n");
    const before = treeHash(sshDir);
    // From inside the container: `service/` becomes a symlink to ~/.ssh, `keys` another, and every file the
    // agent might read as its list now names authorized_keys.
    const plant = [
      "rm -rf /project/service",
      `ln -s ${sshDir} /project/service`,
      `ln -s ${sshDir} /project/keys`,
      `echo '["keys/authorized_keys","service/authorized_keys","service/docker-compose.service.yaml"]' > /project/.wharf-files.json`,
      "touch /project/planted",
      "exec sleep 100000",
    ].join(" && ");
    const attacker = `services:\n  attacker:\n    image: ${IMAGE}\n    init: true\n    volumes: [".:/project"]\n    command: ["sh", "-c", ${JSON.stringify(plant)}]\n`;
    const first = stack(name, {
      files: [
        { path: "compose.yaml", content: attacker },
        { path: "service/docker-compose.service.yaml", content: "services: {}\n" },
      ],
      env: [{ key: "A", value: "1" }],
    });
    expect((await run(agent.socket, { project: first, action: "up" })).exit.exitCode).toBe(0);
    const dir = path.join(stacksDir, name);
    const planted = performance.now();
    while (!existsSync(path.join(dir, "planted")) && performance.now() - planted < 10_000) await sleep(50);
    expect(lstatSync(path.join(dir, "service")).isSymbolicLink()).toBe(true);

    // A redeploy that drops the second file and .env.
    const second = stack(name, { files: [{ path: "compose.yaml", content: attacker }] });
    expect((await run(agent.socket, { project: second, action: "up" })).exit.exitCode).toBe(0);
    expect(treeHash(sshDir)).toBe(before);
    expect(existsSync(path.join(dir, ".env"))).toBe(false);
    expect((await run(agent.socket, { project: second, action: "down" })).exit.exitCode).toBe(0);
  });
});

describe("removing a project", () => {
  it("removes its directory, .env and state, waiting for a job on it first", async () => {
    const name = `it-remove-${suffix}`;
    const project = stack(name, { env: [{ key: "SECRET", value: "s" }] });
    expect((await run(agent.socket, { project, action: "up" })).exit.exitCode).toBe(0);
    const dir = path.join(stacksDir, name);
    expect(existsSync(path.join(dir, ".env"))).toBe(true);
    expect(existsSync(path.join(tmp, "main", "state", name))).toBe(true);
    const [down, removal] = await Promise.all([run(agent.socket, { project, action: "down" }), result(agent.socket, "composeRemoveProject", { name })]);
    expect(down.exit.exitCode).toBe(0);
    expect(removal).toEqual({ removed: true });
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(path.join(tmp, "main", "state", name))).toBe(false);
    expect(await result(agent.socket, "composeRemoveProject", { name })).toEqual({ removed: false });
  });
});

describe("an agent killed while compose runs", () => {
  it("leaves compose running; a new agent re-attaches from any line, reports the real exit and keeps the project busy meanwhile", async () => {
    const name = `it-survive-${suffix}`;
    // The second service starts only once the first is healthy, a few seconds in.
    const slow = stack(name, {
      files: [
        {
          path: "docker-compose.yaml",
          content: `services:\n  gate:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "sleep 4; touch /ready; exec sleep 1000000"]\n    healthcheck:\n      test: ["CMD", "test", "-f", "/ready"]\n      interval: 1s\n      retries: 60\n  app:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "1000000"]\n    depends_on:\n      gate:\n        condition: service_healthy\n`,
        },
      ],
    });
    const doomed = await serve("doomed", { DOCKER_HOST: `unix://${dockerSocket}` });
    const runId = newRunId();
    const stream = await openStream(doomed.socket, STREAM_PATH, { method: "composeRun", params: { project: slow, action: "up", runId } });
    const seen: string[] = [];
    for (;;) {
      const frame = await stream.next();
      const data = frame.type === "data" ? composeRunData.parse(frame.data) : null;
      if (data?.kind !== "output") throw new Error(`expected output, got ${JSON.stringify(frame)}`);
      seen.push(data.line);
      if (seen.length === 2) break;
    }
    doomed.child.kill("SIGKILL");
    await new Promise((resolve) => doomed.child.once("exit", resolve));

    const revived = await serve("doomed", { DOCKER_HOST: `unix://${dockerSocket}` });
    // No in-memory lock survived, the running supervisor holds the project.
    const busy = await openStream(revived.socket, STREAM_PATH, { method: "composeRun", params: { project: slow, action: "up", runId: newRunId() } });
    expect(busy.status).toBe(409);
    busy.close();

    const rest = await follow(revived.socket, "composeAttach", { name, runId, fromLine: seen.length });
    expect(rest.exit, JSON.stringify(rest)).toMatchObject({ exitCode: 0, signal: null });
    const whole = await follow(revived.socket, "composeAttach", { name, runId, fromLine: 0 });
    expect([...seen, ...rest.lines]).toEqual(whole.lines);
    const states = (await result(revived.socket, "composePs", { name })).services.map((service) => [service.service, service.containers[0]?.state]);
    expect(states).toEqual([
      ["app", "running"],
      ["gate", "running"],
    ]);
    const missing = await openStream(revived.socket, STREAM_PATH, { method: "composeAttach", params: { name, runId: "never-started", fromLine: 0 } });
    expect(missing.status).toBe(404);
    missing.close();
    expect((await run(revived.socket, { project: slow, action: "down" })).exit.exitCode).toBe(0);
  });
});

describe("compose edge cases and project owners", () => {
  const OWNER_A = { installation: "it-installation-a", stack: "stack-a" };
  const OWNER_B = { installation: "it-installation-b", stack: "stack-a" };

  it("takes several YAML documents and services starting with _, labels what it creates and keeps other owners out", async () => {
    const name = `it-owner-${suffix}`;
    const multi = `services:\n  web:\n    image: ${IMAGE}\n    command: ["sleep", "1000000"]\n---\nservices:\n  _worker:\n    image: ${IMAGE}\n    command: ["sleep", "1000000"]\n`;
    const project = stack(name, { files: [{ path: "compose.yaml", content: multi }], owner: OWNER_A });
    expect((await result(agent.socket, "composeConfig", { project })).services).toEqual(["_worker", "web"]);
    expect((await run(agent.socket, { project, action: "up", options: { services: ["_worker", "web"] } })).exit.exitCode).toBe(0);
    const created = await containersOf(name);
    expect(created.map((container) => [container.Labels["dev.wharf.installation"], container.Labels["dev.wharf.stack"]])).toEqual([
      [OWNER_A.installation, OWNER_A.stack],
      [OWNER_A.installation, OWNER_A.stack],
    ]);

    // Another owner (another installation with the same stack id) sees nothing and may do nothing.
    expect((await result(agent.socket, "composePs", { name, owner: OWNER_B })).services).toEqual([]);
    expect((await result(agent.socket, "composePs", { name })).services).toEqual([]);
    expect((await result(agent.socket, "composePs", { name, owner: OWNER_A })).services.map((s) => s.service)).toEqual(["_worker", "web"]);
    for (const owner of [OWNER_B, undefined]) {
      const other = { ...project, files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n` }], owner };
      const refused = await postJson(agent.socket, STREAM_PATH, { method: "composeRun", params: { project: other, action: "up", runId: newRunId() } });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toContain(`already has containers (${name}-_worker-1, ${name}-web-1) that belong to stack stack-a of Wharf installation it-installation-a`);
    }
    // Refused before writing: the owner's files in the project directory are untouched.
    expect(readFileSync(path.join(stacksDir, name, "compose.yaml"), "utf8")).toBe(multi);
    expect(await containersOf(name)).toHaveLength(2);

    // A container started by hand with the project's label is not the owner's: hidden, and it blocks the owner too.
    const stray = await docker.createContainer({ name: `${name}-stray`, Image: IMAGE, Cmd: ["sleep", "1000000"], Labels: { "com.docker.compose.project": name, "com.docker.compose.service": "web" } });
    const logs = await readLogs(await openRaw(agent.socket, { method: "composeLogs", params: { name, owner: OWNER_A } }));
    expect(new Set(logs.batches.map((batch) => batch.container))).not.toContain(`${name}-stray`);
    expect((await result(agent.socket, "composePs", { name, owner: OWNER_A })).services.flatMap((s) => s.containers.map((c) => c.name))).not.toContain(`${name}-stray`);
    const blocked = await postJson(agent.socket, STREAM_PATH, { method: "composeRun", params: { project, action: "down", runId: newRunId() } });
    expect(JSON.stringify(blocked.body)).toContain(`(${name}-stray) that belong to no Wharf stack`);
    await stray.remove({ force: true });
    expect((await run(agent.socket, { project, action: "down" })).exit.exitCode).toBe(0);
    expect(await containersOf(name)).toEqual([]);
  });

  it("locates compose 2.26's errors that name no file: by their key path, in the file that has it", async () => {
    const expose = stack(`it-expose-${suffix}`, {
      files: [
        { path: "compose.yaml", content: BASE },
        { path: "db.yaml", content: `services:\n  db:\n    image: ${IMAGE}\n    expose:\n      - true\n` },
      ],
    });
    expect(await failure(agent.socket, "composeConfig", { project: expose })).toMatchObject({
      code: "COMPOSE_INVALID",
      message: "db.yaml line 5: services.db.expose.[0]: unsupported expose value true",
    });
    const override = stack(`it-override-${suffix}`, {
      files: [
        { path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    ports:\n      - "80"\n` },
        { path: "override.yaml", content: `services:\n  web:\n    ports: "8080"\n` },
      ],
    });
    expect(await failure(agent.socket, "composeConfig", { project: override })).toMatchObject({
      message: "override.yaml line 3: cannot override services.web.ports",
      details: { file: "override.yaml", line: 3 },
    });
    const quote = stack(`it-quote-${suffix}`, {
      files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo hi]\n  db:\n    image: x\n` }],
    });
    expect(await failure(agent.socket, "composeConfig", { project: quote })).toMatchObject({ details: { file: "compose.yaml", line: 4 } });
  });
});

describe("hosts with only compose v1", () => {
  let v1: { child: ChildProcess; socket: string };
  const name = `it-v1-${suffix}`;

  beforeAll(async () => {
    // A PATH with docker-compose but no docker CLI: the agent must fall back to v1.
    const bin = path.join(tmp, "v1-bin");
    mkdirSync(bin);
    symlinkSync("/usr/bin/docker-compose", path.join(bin, "docker-compose"));
    v1 = await serve("v1", { DOCKER_HOST: `unix://${dockerSocket}`, PATH: bin });
  });

  it("validates, deploys, lists and removes a two-file stack", async () => {
    const config = await result(v1.socket, "composeConfig", { project: stack(name) });
    expect(config).toMatchObject({ services: ["web", "worker"], compose: { flavor: "v1" } });
    expect((await run(v1.socket, { project: stack(name), action: "up" })).exit.exitCode).toBe(0);
    // Now that a job wrote the live directory, compose there prints what the check printed from its copy.
    expect(config.merged).toBe(
      await cli(["-p", name, "--project-directory", path.join(tmp, "v1", "stacks", name), "-f", "docker-compose.sample-service.yaml", "-f", "service/docker-compose.service.yaml", "config"], path.join(tmp, "v1", "stacks", name), "/usr/bin/docker-compose"),
    );
    const ps = await result(v1.socket, "composePs", { name });
    expect(ps.services.map((service) => [service.service, service.containers[0]?.state])).toEqual([
      ["web", "running"],
      ["worker", "running"],
    ]);
    expect((await run(v1.socket, { project: stack(name), action: "down" })).exit.exitCode).toBe(0);
    expect(await containersOf(name)).toEqual([]);
  });

  it("writes .env so compose v1 reads every value exactly, and refuses ${ that v1 would expand", async () => {
    const config = await result(v1.socket, "composeConfig", { project: trickyEnvProject(`${name}-env`, TRICKY) });
    expect(trickyValue(config.merged)).toBe(TRICKY);
    const refused = await failure(v1.socket, "composeConfig", { project: trickyEnvProject(`${name}-env`, "x ${USER}") });
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toMatch(/^variable TRICKY: compose v1 on this host expands "\$\{"/);
  });

  it("names the file and line of v1's errors", async () => {
    const project = stack(name, {
      files: [
        { path: "docker-compose.sample-service.yaml", content: BASE },
        { path: "service/docker-compose.service.yaml", content: "services:\n  web:\n    frobnicate: true\n" },
      ],
    });
    expect(await failure(v1.socket, "composeConfig", { project })).toEqual({
      status: 422,
      code: "COMPOSE_INVALID",
      message: "service/docker-compose.service.yaml line 3: Unsupported config option for services.web: 'frobnicate'",
      details: { file: "service/docker-compose.service.yaml", line: 3 },
    });
  });
  it("refuses several YAML documents in one file with a hint, and reports an unclosed quote where it opens", async () => {
    const multi = stack(`${name}-multi`, { files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n---\nservices:\n  _db:\n    image: ${IMAGE}\n` }] });
    expect(await failure(v1.socket, "composeConfig", { project: multi })).toMatchObject({
      message: "compose.yaml line 4: holds several YAML documents (---): compose v1 reads one per file; merge them into one, or use compose v2 on this host",
    });
    const quote = stack(`${name}-quote`, { files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo hi]\n  db:\n    image: x\n` }] });
    expect(await failure(v1.socket, "composeConfig", { project: quote })).toMatchObject({ details: { file: "compose.yaml", line: 4 } });
  });
});

// Throughput and latency figures live in `npm run bench`; these check correctness at volume.
describe("a chatty service", () => {
  describe("200,000 log lines", () => {
    const name = `it-chatty-${suffix}`;
    const LINES = 200_000;
    const chatty = () =>
      stack(name, {
        files: [{ path: "docker-compose.yaml", content: `services:\n  chatty:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "seq 1 ${LINES}; exec sleep 100000"]\n` }],
      });

    beforeAll(async () => {
      expect((await run(agent.socket, { project: chatty(), action: "up" })).exit.exitCode).toBe(0);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const last = await cli(["logs", "--tail", "1", `${name}-chatty-1`]).catch(() => "");
        if (last.trim() === String(LINES)) return;
        await sleep(200);
      }
      throw new Error("the chatty container did not finish printing");
    });

    const HEAVY = { timeout: 300_000 };

    it("delivers all 200,000 lines in order through the agent, following", HEAVY, async () => {
      const checked = await readLogs(await openRaw(agent.socket, { method: "composeLogs", params: { name, follow: true } }), (_, lines) => lines >= LINES);
      const numbers = checked.batches.flatMap((batch) => batch.lines.map((line) => Number(line.line)));
      expect(numbers.slice(0, LINES)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    });

    it("stay in Docker while the client does not read (backpressure), and all arrive once it does", async () => {
      const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
      const before = rss();
      const res = await openRaw(agent.socket, { method: "composeLogs", params: { name } });
      res.pause();
      await sleep(1_500);
      const grown = rss() - before;
      console.log(`agent RSS while a client reads nothing of ${LINES} lines: +${(grown / 1024 / 1024).toFixed(1)} MiB`);
      // The whole log as frames is about 20 MiB; a paused client must not make the agent hold it.
      expect(grown).toBeLessThan(12 * 1024 * 1024);
      res.resume();
      const { lines, ended } = await readLogs(res, undefined, false);
      expect(ended).toBe(true);
      expect(lines).toBe(LINES);
    });
  });
});
