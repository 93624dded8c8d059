import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import {
  agentResponse,
  CALL_PATH,
  type HelloResult,
  helloResult,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
} from "@wharf/agent-protocol";

import { CliError } from "./cli-error";
import { agentDirs, clearScratch, scratchLeftovers } from "./compose/project-dir";
import { createDockerClient } from "./docker/client";
import { type AgentEnv, daemonEnv } from "./env";
import type { Logger } from "./log";
import { selfCommand } from "./self";
import { type AgentServer, startAgentServer } from "./server";
import { AGENT_VERSION } from "./version";

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const SOCKET_CHECK_MS = 10_000;
// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 107;

function pidfilePath(socketPath: string): string {
  return `${socketPath}.pid`;
}

/** `serve`: runs the agent in the foreground until SIGTERM or SIGINT. */
export async function serve(socketPath: string, env: AgentEnv, log: Logger): Promise<void> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new CliError(`socket path ${socketPath} is too long: unix sockets allow at most ${MAX_SOCKET_PATH_BYTES} bytes`);
  }
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  const state = await probeSocket(socketPath);
  if (state === "live") {
    throw new CliError(`something already answers on ${socketPath} (pidfile: ${readPid(socketPath) ?? "none"}); stop it first`);
  }
  if (state === "stale") {
    log.info("removing stale socket", { socket: socketPath });
    rmSync(socketPath, { force: true });
  }

  const leftovers = await scratchLeftovers(agentDirs(socketPath));
  let agent: AgentServer;
  try {
    agent = await startAgentServer({ socketPath, env, docker: createDockerClient(env.docker), log });
  } catch (error) {
    // Another agent started between the probe and listen (concurrent starts).
    if (errorCode(error) === "EADDRINUSE") throw new CliError(`another agent started on ${socketPath} at the same time`);
    throw error;
  }
  // Only now is this the data directory's one agent: no check of another can be using a scratch copy.
  await clearScratch(agentDirs(socketPath), leftovers);
  const pidfile = pidfilePath(socketPath);
  writeFileSync(pidfile, `${process.pid}\n`, { mode: 0o600 });
  const inode = socketInode(socketPath);
  const ownsSocket = (): boolean => inode !== null && socketInode(socketPath) === inode;

  await new Promise<void>((resolve) => {
    const stopServing = (reason: string): void => {
      log.info("shutting down", { reason });
      clearInterval(watch);
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      // A second signal while draining means "now".
      process.once("SIGTERM", () => process.exit(1));
      process.once("SIGINT", () => process.exit(1));
      // Closing the server unlinks the socket path, which may now be another agent's.
      if (ownsSocket()) void agent.close().then(resolve);
      else resolve();
    };
    const onSignal = (signal: NodeJS.Signals): void => stopServing(signal);
    // An agent whose socket was removed or replaced can never be reached again: it leaves.
    const watch = setInterval(() => {
      if (!ownsSocket()) stopServing("the socket path was removed or taken over");
    }, SOCKET_CHECK_MS);
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  if (readPid(socketPath) === process.pid) rmSync(pidfile, { force: true });
  log.info("stopped");
}

export interface StartResult {
  pid: number;
  version: string;
}

/** `start`: makes sure an agent of this version serves `socketPath`, starting one in the background if needed. */
export async function start(socketPath: string, logPath: string): Promise<StartResult> {
  const running = await helloOver(socketPath);
  if (running.kind === "hello" && running.hello.agentVersion === AGENT_VERSION) {
    return { pid: running.hello.pid, version: running.hello.agentVersion };
  }
  if (running.kind !== "silent") await stop(socketPath, running.kind === "hello" ? running.hello.pid : null);

  mkdirSync(path.dirname(logPath), { recursive: true, mode: 0o700 });
  const logFd = openSync(logPath, "a", 0o600);
  const [command, args] = selfCommand(["serve", "--socket", socketPath]);
  const child = spawn(command, args, { detached: true, stdio: ["ignore", logFd, logFd], env: daemonEnv() });
  closeSync(logFd);
  child.unref();

  // Set from the child's events while the loop below polls.
  const started: { failure: string | null } = { failure: null };
  child.once("exit", (code, signal) => {
    started.failure = signal === null ? `exited with status ${code ?? "?"}` : `was killed by ${signal}`;
  });
  child.once("error", (error) => {
    started.failure = `could not be started: ${error.message}`;
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    // Asked before looking at the child: when two starts race, the losing child
    // exits because the winner already answers, and that winner is the result.
    const answer = await helloOver(socketPath);
    if (answer.kind === "hello") {
      if (answer.hello.agentVersion !== AGENT_VERSION) {
        throw new CliError(`another agent (${answer.hello.agentVersion}, pid ${answer.hello.pid}) took over ${socketPath}`);
      }
      return { pid: answer.hello.pid, version: answer.hello.agentVersion };
    }
    if (started.failure !== null) throw new CliError(`the agent ${started.failure} before answering; see ${logPath}:\n${tail(logPath)}`);
  }
  throw new CliError(`the agent did not answer on ${socketPath} within ${START_TIMEOUT_MS / 1000} s; see ${logPath}:\n${tail(logPath)}`);
}

/**
 * `stop`: SIGTERMs the agent serving `socketPath` and waits for it to exit.
 * Returns its pid, or null when none was running.
 */
export async function stop(socketPath: string, knownPid: number | null = null): Promise<number | null> {
  const pid = readPid(socketPath) ?? knownPid;
  if (pid === null || !isAgentFor(pid, socketPath)) {
    rmSync(pidfilePath(socketPath), { force: true });
    return null;
  }
  try {
    process.kill(pid, "SIGTERM");
  } catch (error) {
    if (errorCode(error) === "ESRCH") return null;
    throw new CliError(`cannot signal agent pid ${pid}: ${String(error)}`);
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new CliError(`agent pid ${pid} did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
    await sleep(POLL_MS);
  }
  return pid;
}

type HelloAnswer = { kind: "hello"; hello: HelloResult } | { kind: "other-protocol" } | { kind: "silent" };

/** Asks whatever listens on `socketPath` for hello; "other-protocol" is an agent of another protocol version. */
async function helloOver(socketPath: string, timeoutMs = 2_000): Promise<HelloAnswer> {
  const body = JSON.stringify({ method: "hello", params: {} });
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath,
        path: CALL_PATH,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode === 426) {
            resolve({ kind: "other-protocol" });
            return;
          }
          try {
            const envelope = agentResponse.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
            resolve(envelope.ok ? { kind: "hello", hello: helloResult.parse(envelope.result) } : { kind: "silent" });
          } catch {
            resolve({ kind: "silent" });
          }
        });
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ kind: "silent" }));
    req.end(body);
  });
}

/** Whether a process accepts connections on the socket ("stale" = the file exists but nobody listens). */
function probeSocket(socketPath: string): Promise<"absent" | "stale" | "live"> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once("connect", () => {
      socket.destroy();
      resolve("live");
    });
    socket.once("error", (error) => {
      resolve(errorCode(error) === "ENOENT" ? "absent" : "stale");
    });
  });
}

function socketInode(socketPath: string): number | null {
  try {
    return statSync(socketPath).ino;
  } catch {
    return null;
  }
}

function readPid(socketPath: string): number | null {
  try {
    const pid = Number(readFileSync(pidfilePath(socketPath), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Guards against a reused pid: only signal a process serving this very socket. */
function isAgentFor(pid: number, socketPath: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes("serve") && argv.includes(socketPath);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
  // An exited agent stays a zombie until its parent (init, once detached) reaps it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(log unreadable)";
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
}
