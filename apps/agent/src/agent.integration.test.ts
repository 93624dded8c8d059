import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
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
  dockerEvent,
  helloResult,
  PROTOCOL_VERSION,
  STREAM_PATH,
} from "@wharf/agent-protocol";
import { loadSandbox } from "@wharf/testing/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type JsonAnswer, openStream, postJson } from "./test-support/agent-http";

// The built executable, run as a host would run it, against the sandbox's
// real dockerd on h1.

const execFileAsync = promisify(execFile);
const agentRoot = path.resolve(import.meta.dirname, "..");
const binary = path.join(agentRoot, "dist/wharf-agent");
const tmp = mkdtempSync(path.join(os.tmpdir(), "wharf-agent-it-"));
const suffix = randomBytes(4).toString("hex");
const daemonSocket = path.join(tmp, "daemon", "agent.sock");
/** Sockets of agents run through `start`, which outlive their starter. */
const startedSockets = [daemonSocket];

let dockerSocket: string;
let docker: Docker;
let version: string;
const agents: ChildProcess[] = [];

/** Starts `wharf-agent serve` with only the given environment, and waits until it answers. */
async function serve(name: string, env: Record<string, string>): Promise<{ child: ChildProcess; socket: string }> {
  const socket = path.join(tmp, name, "agent.sock");
  const child = spawn(binary, ["serve", "--socket", socket], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  agents.push(child);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`agent ${name} did not start:\n${stderr}`);
    const answer = await call(socket, "hello").catch(() => null);
    if (answer?.status === 200) return { child, socket };
    await sleep(25);
  }
}

async function call(socket: string, method: AgentMethod, params: object = {}): Promise<JsonAnswer> {
  return postJson(socket, CALL_PATH, { method, params });
}

/** A successful call's result, checked against the method's contract. */
async function result<M extends AgentMethod>(socket: string, method: M, params: object = {}): Promise<AgentResult<M>> {
  const answer = await call(socket, method, params);
  const response = agentResponse.parse(answer.body);
  if (!response.ok) throw new Error(`${method} failed: ${response.error.code} ${response.error.message}`);
  expect(answer.status).toBe(200);
  return agentCalls[method].result.parse(response.result) as AgentResult<M>;
}

/** An image the sandbox host already has (none can be pulled here), found through the agent itself. */
async function taggedImage(socket: string): Promise<{ id: string; tag: string }> {
  const images = await result(socket, "listImages");
  const image = images.find((candidate) => candidate.repoTags.length > 0);
  const tag = image?.repoTags[0];
  if (image === undefined || tag === undefined) throw new Error("the sandbox host has no tagged image");
  return { id: image.id, tag };
}

/** Resolves with the exit status, or null when a signal ended the process. */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Docker's own count of open event subscriptions. */
async function eventListeners(): Promise<number> {
  return ((await docker.info()) as { NEventsListener: number }).NEventsListener;
}

beforeAll(async () => {
  // Rebuilds only when the sources changed (a few hundred ms otherwise).
  await execFileAsync("npm", ["run", "build"], { cwd: agentRoot, maxBuffer: 16 * 1024 * 1024 });
  version = (JSON.parse(readFileSync(path.join(agentRoot, "dist/manifest.json"), "utf8")) as { version: string }).version;
  const h1 = loadSandbox().hosts.find((host) => host.name === "h1");
  if (!h1) throw new Error("sandbox host h1 missing: run docker/sandbox/sandbox.sh up --hosts 2");
  dockerSocket = h1.dockerSocket;
  docker = new Docker({ socketPath: dockerSocket });
});

afterAll(async () => {
  for (const socket of startedSockets) await execFileAsync(binary, ["stop", "--socket", socket]).catch(() => undefined);
  for (const child of agents) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe("wharf-agent against a real dockerd", () => {
  let agent: { child: ChildProcess; socket: string };

  beforeAll(async () => {
    // No PATH, HOME or anything else: the executable must need nothing but Docker.
    agent = await serve("main", { DOCKER_HOST: `unix://${dockerSocket}` });
  });

  it("listens on an owner-only socket and writes a pidfile next to it", () => {
    const stat = statSync(agent.socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.uid).toBe(process.getuid?.());
    expect(readFileSync(`${agent.socket}.pid`, "utf8").trim()).toBe(String(agent.child.pid));
  });

  it("answers hello with the built version", async () => {
    const hello = helloResult.parse(await result(agent.socket, "hello"));
    expect(hello).toMatchObject({ agentVersion: version, protocolVersion: PROTOCOL_VERSION, pid: agent.child.pid, socketPath: agent.socket });
    const { stdout } = await execFileAsync(binary, ["version"], { env: {} });
    expect(stdout.trim()).toBe(version);
  });

  it("reports host facts, probing the dockerd behind DOCKER_HOST", async () => {
    const facts = await result(agent.socket, "hostFacts");
    const info = (await docker.info()) as { ServerVersion: string; DockerRootDir: string };
    expect(facts.docker).toMatchObject({ version: info.ServerVersion, rootDir: info.DockerRootDir });
    expect(facts.docker.images).toBeGreaterThan(0);
    expect(facts.compose.flavor).not.toBe("none");
    expect(facts.capabilities.nvidiaRuntime.available).toBe(false);
    // Independent oracle: the sandbox daemon's own command line.
    const dockerdArgv = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        } catch {
          return [];
        }
      })
      .find((argv) => path.basename(argv[0] ?? "") === "dockerd" && argv.some((arg) => arg.endsWith(dockerSocket)));
    const budget = dockerdArgv?.find((arg) => arg.startsWith("--cpu-rt-runtime="))?.split("=")[1];
    if (budget !== undefined && Number(budget) > 0) {
      expect(facts.capabilities.realtimeCpu).toEqual({ available: true, detail: `daemon grants up to ${budget} µs of real-time CPU per period` });
    } else {
      expect(facts.capabilities.realtimeCpu.available).toBe(false);
    }
    expect(facts.capabilities.rtprio.detail).toMatch(/RLIMIT_RTPRIO/);
  });

  it("lists containers, images, volumes and networks", async () => {
    // Other suites share the sandbox, so this checks objects it made itself rather than whole lists.
    const name = `wharf-agent-it-list-${suffix}`;
    const image = await taggedImage(agent.socket);
    const container = await docker.createContainer({
      Image: image.tag,
      Cmd: ["true"],
      name,
      Labels: { "com.docker.compose.project": "itstack", "com.docker.compose.service": "web" },
    });
    await docker.createVolume({ Name: name, Labels: { "wharf.test": "agent" } });
    await docker.createNetwork({ Name: name, Internal: true, IPAM: { Config: [{ Subnet: "10.250.77.0/24" }] } });
    try {
      const containers = await result(agent.socket, "listContainers", { all: true });
      expect(containers.find((c) => c.id === container.id)).toMatchObject({
        name,
        image: image.tag,
        imageId: image.id,
        command: "true",
        state: "created",
        ports: [],
        composeProject: "itstack",
        composeService: "web",
      });
      const running = await result(agent.socket, "listContainers", { all: false });
      expect(running.some((c) => c.id === container.id)).toBe(false);
      const images = await result(agent.socket, "listImages");
      expect(images.find((i) => i.id === image.id)?.containers).toBeGreaterThanOrEqual(1);
      const volumes = await result(agent.socket, "listVolumes");
      expect(volumes.find((v) => v.name === name)).toMatchObject({ driver: "local", scope: "local", labels: { "wharf.test": "agent" } });
      const networks = await result(agent.socket, "listNetworks");
      expect(networks.find((n) => n.name === name)).toMatchObject({ driver: "bridge", internal: true, subnets: ["10.250.77.0/24"] });
    } finally {
      await container.remove({ force: true });
      await docker.getVolume(name).remove();
      await docker.getNetwork(name).remove();
    }
  });

  it("refuses another protocol version with 426", async () => {
    const answer = await postJson(agent.socket, CALL_PATH, { method: "hello", params: {} }, { protocol: String(PROTOCOL_VERSION + 1) });
    expect(answer.status).toBe(426);
    expect(agentResponse.parse(answer.body)).toEqual({
      ok: false,
      error: { code: "PROTOCOL_MISMATCH", message: `agent speaks protocol ${PROTOCOL_VERSION}, control plane ${PROTOCOL_VERSION + 1}` },
    });
  });

  it("streams docker events and lets go of Docker when the client leaves", async () => {
    const image = await taggedImage(agent.socket);
    const listenersBefore = await eventListeners();
    const stream = await openStream(agent.socket, STREAM_PATH, { method: "dockerEvents", params: {} });
    expect(stream.status).toBe(200);
    const container = await docker.createContainer({ Image: image.tag, Cmd: ["true"], name: `wharf-agent-it-${suffix}` });
    try {
      for (;;) {
        const frame = await stream.next();
        expect(frame.type).toBe("data");
        if (frame.type !== "data") break;
        const event = dockerEvent.parse(frame.data);
        if (event.type === "container" && event.action === "create" && event.actorId === container.id) {
          expect(event.attributes.name).toBe(`wharf-agent-it-${suffix}`);
          expect(Math.abs(event.time - Date.now())).toBeLessThan(60_000);
          expect(await eventListeners()).toBeGreaterThan(listenersBefore);
          break;
        }
      }
    } finally {
      stream.close();
      await container.remove({ force: true });
    }
    // The agent's subscription ends with the client's connection.
    const deadline = Date.now() + 5_000;
    while ((await eventListeners()) > listenersBefore && Date.now() < deadline) await sleep(50);
    expect(await eventListeners()).toBeLessThanOrEqual(listenersBefore);
  });

  it("shuts down on SIGTERM, removing its socket and pidfile", async () => {
    agent.child.kill("SIGTERM");
    expect(await exited(agent.child)).toBe(0);
    expect(existsSync(agent.socket)).toBe(false);
    expect(existsSync(`${agent.socket}.pid`)).toBe(false);
  });
});

describe("Docker problems reach the control plane as clear errors", () => {
  it("reports DOCKER_UNAVAILABLE when DOCKER_HOST points at a missing socket", async () => {
    const missing = path.join(tmp, "no-docker", "docker.sock");
    const { socket } = await serve("unavailable", { DOCKER_HOST: `unix://${missing}` });
    expect(helloResult.parse(await result(socket, "hello")).agentVersion).toBe(version);
    for (const method of ["listContainers", "hostFacts"] as const) {
      const answer = await call(socket, method);
      expect(answer.status).toBe(503);
      expect(agentResponse.parse(answer.body)).toEqual({
        ok: false,
        error: { code: "DOCKER_UNAVAILABLE", message: `Docker is not running or not installed on this host: no daemon answers at ${missing}` },
      });
    }
  });

  it("reports DOCKER_PERMISSION_DENIED for a user outside the socket's group", async () => {
    const user = loadSandbox().hosts.find((host) => host.name === "h1")?.users.nodocker;
    if (user === undefined) throw new Error("sandbox host h1 has no nodocker user");
    const uid = Number((await execFileAsync("id", ["-u", user])).stdout.trim());
    const gid = Number((await execFileAsync("id", ["-g", user])).stdout.trim());
    // The user needs a directory of its own for the socket and a binary it may execute.
    const home = path.join(tmp, "nodocker");
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, uid, gid);
    chmodSync(tmp, 0o755);
    const userBinary = path.join(home, "wharf-agent");
    copyFileSync(binary, userBinary);
    chmodSync(userBinary, 0o755);
    const socket = path.join(home, "agent.sock");
    const child = spawn(userBinary, ["serve", "--socket", socket], { env: { DOCKER_HOST: `unix://${dockerSocket}` }, uid, gid, stdio: "ignore" });
    agents.push(child);
    const deadline = Date.now() + 10_000;
    while (!existsSync(socket) && Date.now() < deadline) await sleep(25);
    expect(statSync(socket).uid).toBe(uid);
    const answer = await call(socket, "listContainers");
    const response = agentResponse.parse(answer.body);
    expect(response.ok ? null : response.error.code).toBe("DOCKER_PERMISSION_DENIED");
    expect(response.ok ? "" : response.error.message).toMatch(
      new RegExp(`^user ${user} cannot access the Docker socket ${dockerSocket} \\(permission denied\\): add the user to the socket's group`),
    );
  });
});

describe("start and stop", () => {
  it("starts one background agent per version and stops it", async () => {
    const socket = daemonSocket;
    const log = path.join(tmp, "daemon", "agent.log");
    const env = { DOCKER_HOST: `unix://${dockerSocket}` };
    const first = JSON.parse((await execFileAsync(binary, ["start", "--socket", socket, "--log", log], { env })).stdout) as unknown;
    expect(first).toEqual({ pid: expect.any(Number) as number, version });
    const again = JSON.parse((await execFileAsync(binary, ["start", "--socket", socket, "--log", log], { env })).stdout) as unknown;
    expect(again).toEqual(first);
    expect(helloResult.parse(await result(socket, "hello")).pid).toBe((first as { pid: number }).pid);

    const stopped = JSON.parse((await execFileAsync(binary, ["stop", "--socket", socket])).stdout) as unknown;
    expect(stopped).toEqual({ stopped: (first as { pid: number }).pid });
    expect(existsSync(socket)).toBe(false);
    expect(readFileSync(log, "utf8")).toMatch(/listening/);
    const idle = JSON.parse((await execFileAsync(binary, ["stop", "--socket", socket])).stdout) as unknown;
    expect(idle).toEqual({ stopped: null });
  });

  it("replaces an agent of another version or protocol", async () => {
    // Stand-ins for an older agent: same command line shape and pidfile, another hello.
    const oldAgent = (answer: string): string => `
      const fs = require("node:fs");
      const socket = process.argv.at(-1);
      require("node:http")
        .createServer((req, res) => {
          const [status, body] = ${answer};
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        })
        .listen(socket, () => fs.writeFileSync(socket + ".pid", String(process.pid)));`;
    const olderVersion = `[200, { ok: true, result: { agentVersion: "0.0.1+old", protocolVersion: ${PROTOCOL_VERSION}, pid: process.pid, startedAt: new Date().toISOString(), socketPath: socket } }]`;
    const olderProtocol = `[426, { ok: false, error: { code: "PROTOCOL_MISMATCH", message: "agent speaks protocol 0, control plane ${PROTOCOL_VERSION}" } }]`;
    for (const [name, answer] of [["older-version", olderVersion], ["older-protocol", olderProtocol]] as const) {
      const socket = path.join(tmp, name, "agent.sock");
      startedSockets.push(socket);
      mkdirSync(path.dirname(socket), { recursive: true });
      const old = spawn(process.execPath, ["-e", oldAgent(answer), "--", "serve", "--socket", socket], { stdio: "ignore" });
      agents.push(old);
      while (!existsSync(`${socket}.pid`)) await sleep(25);

      const env = { DOCKER_HOST: `unix://${dockerSocket}` };
      const started = JSON.parse((await execFileAsync(binary, ["start", "--socket", socket, "--log", path.join(tmp, name, "agent.log")], { env })).stdout) as {
        pid: number;
        version: string;
      };
      expect(started.version).toBe(version);
      expect(await exited(old)).toBeNull();
      expect(helloResult.parse(await result(socket, "hello")).agentVersion).toBe(version);
      expect(JSON.parse((await execFileAsync(binary, ["stop", "--socket", socket])).stdout)).toEqual({ stopped: started.pid });
    }
  });

  it("replaces a stale socket file left by a killed agent", async () => {
    const { child, socket } = await serve("stale", { DOCKER_HOST: `unix://${dockerSocket}` });
    child.kill("SIGKILL");
    await exited(child);
    expect(existsSync(socket)).toBe(true);
    const { child: next } = await serve("stale", { DOCKER_HOST: `unix://${dockerSocket}` });
    expect(helloResult.parse(await result(socket, "hello")).pid).toBe(next.pid);
  });
});
