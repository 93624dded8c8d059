import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import type { ComposeAction, ComposeRunner, HostFacts } from "@wharf/agent-protocol";

import { AgentFailure } from "../failure";
import { spawnCompose, terminateCompose } from "./compose-process";

const execFileAsync = promisify(execFile);

// Compose v1 is a Python program that takes about half a second to start.
const PROBE_TIMEOUT_MS = 10_000;
// Which compose a host has changes only when someone installs one; probing costs 50-500 ms per call.
const DETECTION_TTL_MS = 5 * 60_000;
const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;

export type ComposeInfo = HostFacts["compose"];

/** A usable compose: what to run, and what it is. */
export interface ComposeCommand extends ComposeRunner {
  /** The program and its leading arguments: the compose plugin's executable, ["docker", "compose"] or ["docker-compose"]. */
  argv: [string, ...string[]];
}

/**
 * Which compose command this host has: `docker compose` (v2 plugin) is
 * preferred, `docker-compose` (v1, or a standalone v2 binary) is the fallback.
 * The flavor names the command to run; the version is what it reports.
 */
export async function detectCompose(env: Record<string, string>, signal?: AbortSignal): Promise<ComposeInfo> {
  const plugin = await probeVersion("docker", ["compose", "version", "--short"], env, signal);
  if (plugin !== null) return { flavor: "v2", version: plugin };
  const standalone = await probeVersion("docker-compose", ["version", "--short"], env, signal);
  if (standalone !== null) return { flavor: "v1", version: standalone };
  return { flavor: "none", version: null };
}

async function probeVersion(
  file: string,
  args: string[],
  env: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(file, args, {
      env,
      timeout: PROBE_TIMEOUT_MS,
      maxBuffer: 64 * 1024,
      encoding: "utf8",
      ...(signal ? { signal } : {}),
    });
    return parseComposeVersion(stdout);
  } catch {
    // Not installed, not a compose, or too slow: all mean "this command is not usable".
    return null;
  }
}

/** Reads `version --short` output ("2.26.1", "v2.26.1" or "1.29.2"); null when it is not a version. */
export function parseComposeVersion(stdout: string): string | null {
  const firstLine = stdout.trim().split("\n")[0]?.trim() ?? "";
  const match = /^v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(firstLine);
  return match?.[1] ?? null;
}

/** Where the Docker CLI looks for plugins, in its order: the user's config directory first. */
function pluginDirs(env: Record<string, string>): string[] {
  const config = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), ".docker");
  return [path.join(config, "cli-plugins"), "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"];
}

/**
 * The executable `docker compose` runs, found as the Docker CLI finds it and
 * trusted only when it reports the same version. Run directly it skips the
 * CLI's start-up and plugin scan: about 50 ms less per compose command.
 */
async function pluginExecutable(env: Record<string, string>, version: string, signal?: AbortSignal): Promise<string | null> {
  for (const dir of pluginDirs(env)) {
    const candidate = path.join(dir, "docker-compose");
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    return (await probeVersion(candidate, ["version", "--short"], env, signal)) === version ? candidate : null;
  }
  return null;
}

let detected: { at: number; command: ComposeCommand } | null = null;

/** The compose to run stacks with (detected once per few minutes); COMPOSE_UNAVAILABLE when the host has none. */
export async function composeCommand(env: Record<string, string>, signal?: AbortSignal): Promise<ComposeCommand> {
  if (detected !== null && Date.now() - detected.at < DETECTION_TTL_MS) return detected.command;
  const command = await resolveComposeCommand(env, signal);
  detected = { at: Date.now(), command };
  return command;
}

/** composeCommand without the cache. */
export async function resolveComposeCommand(env: Record<string, string>, signal?: AbortSignal): Promise<ComposeCommand> {
  const info = await detectCompose(env, signal);
  if (info.flavor === "none" || info.version === null) {
    throw new AgentFailure(
      "COMPOSE_UNAVAILABLE",
      "neither `docker compose` nor `docker-compose` works on this host; install the Docker Compose plugin (docker-compose-plugin) or docker-compose",
    );
  }
  const plugin = info.flavor === "v2" ? await pluginExecutable(env, info.version, signal) : null;
  return {
    flavor: info.flavor,
    version: info.version,
    argv: plugin !== null ? [plugin] : info.flavor === "v2" ? ["docker", "compose"] : ["docker-compose"],
  };
}

export interface ComposeTarget {
  name: string;
  /** The project directory (absolute). */
  dir: string;
  /** Absolute compose file paths in `-f` order. */
  files: string[];
}

/**
 * The full argv of one compose invocation: never a shell string. Every value
 * that came from a request is a separate element; file paths are absolute, so
 * none can be read as an option.
 */
export function composeArgv(command: Pick<ComposeCommand, "argv" | "version">, target: ComposeTarget, subcommand: string[]): string[] {
  // --ansi never also makes progress plain (v2 since 2.3.3); 2.19 added --progress to ask for it explicitly;
  // v1 before 1.28 (Ubuntu 20.04 has 1.25) only knows --no-ansi.
  const ansi = atLeast(command.version, [1, 28]) ? ["--ansi", "never"] : ["--no-ansi"];
  const global = atLeast(command.version, [2, 19]) ? [...ansi, "--progress", "plain"] : ansi;
  return [
    ...command.argv,
    ...global,
    "--project-name",
    target.name,
    "--project-directory",
    target.dir,
    ...target.files.flatMap((file) => ["-f", file]),
    ...subcommand,
  ];
}

/** Whether a compose version ("2.26.1-4", "1.29.2") is at least major.minor. */
export function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const [actualMajor = 0, actualMinor = 0] = version.split(/[.-]/).map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

export interface ActionOptions {
  removeOrphans?: boolean | undefined;
  forceRecreate?: boolean | undefined;
  volumes?: boolean | undefined;
  services?: string[] | undefined;
  noCache?: boolean | undefined;
  pull?: boolean | undefined;
}

/** The compose subcommand for a Wharf action. */
export function actionArgs(action: ComposeAction, options: ActionOptions): string[] {
  const services = options.services ?? [];
  switch (action) {
    case "up":
      // Pull progress bars would be thousands of lines; "Pulled" still shows per service.
      return [
        "up",
        "--detach",
        "--quiet-pull",
        ...(options.removeOrphans === false ? [] : ["--remove-orphans"]),
        ...(options.forceRecreate === true ? ["--force-recreate"] : []),
        ...services,
      ];
    case "down":
      return ["down", ...(options.removeOrphans === true ? ["--remove-orphans"] : []), ...(options.volumes === true ? ["--volumes"] : [])];
    case "stop":
    case "restart":
    case "pull":
      return [action, ...services];
    case "build":
      return ["build", ...(options.noCache === true ? ["--no-cache"] : []), ...(options.pull === true ? ["--pull"] : []), ...services];
  }
}

/**
 * The environment compose runs with: the agent's, minus COMPOSE_* variables
 * that would change which project or files it uses behind the explicit flags.
 */
export function composeEnv(childEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(childEnv)) if (!key.startsWith("COMPOSE_")) env[key] = value;
  // The docker CLI otherwise appends "What's next" hints to some commands' output.
  env.DOCKER_CLI_HINTS = "false";
  return env;
}

export interface CapturedRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs compose to completion and keeps its output (bounded); aborting `signal` terminates it. */
export function runCompose(argv: string[], options: { cwd: string; env: Record<string, string>; signal: AbortSignal }): Promise<CapturedRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCompose(argv, options);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CAPTURE_BYTES) {
        terminateCompose(child, 0);
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));
    const onAbort = (): void => terminateCompose(child);
    options.signal.addEventListener("abort", onAbort, { once: true });
    child.once("error", (error) => {
      options.signal.removeEventListener("abort", onAbort);
      reject(new AgentFailure("COMPOSE_FAILED", `could not run ${argv.slice(0, 2).join(" ")}: ${error.message}`));
    });
    child.once("close", (exitCode, signal) => {
      options.signal.removeEventListener("abort", onAbort);
      if (options.signal.aborted) {
        reject(new AgentFailure("COMPOSE_FAILED", `${argv.slice(0, 2).join(" ")} was stopped: the call was cancelled or took longer than allowed`));
        return;
      }
      if (size > MAX_CAPTURE_BYTES) {
        reject(new AgentFailure("COMPOSE_FAILED", `compose printed more than ${MAX_CAPTURE_BYTES} bytes; stopped it`));
        return;
      }
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}
