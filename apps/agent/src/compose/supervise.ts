// What `wharf-agent supervise` runs: compose, its output and its exit
// recorded in the run's directory (see run.ts for the rest of a run's life).
// The supervisor starts on every compose run, so this module and its imports
// stay light: Node built-ins and plain values, no zod and no protocol schemas.
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";

import type { ComposeRunData } from "@wharf/agent-protocol";
import { MAX_OUTPUT_LINE } from "@wharf/agent-protocol/limits";

import { spawnCompose, terminateCompose } from "../docker/compose-process";
import { removeRunDockerConfig } from "../docker/run-docker-config";
import { LineSplitter } from "./lines";

export const OUTPUT = "output.ndjson";
export const EXIT = "exit.json";

type ExitData = Extract<ComposeRunData, { kind: "exit" }>;

export interface Supervision {
  /** SIGTERM to compose's process group, SIGKILL after the grace period. */
  stop(): void;
  /** Resolves once compose exited and the exit record is written. */
  done: Promise<void>;
}

/** What a supervisor reads from its stdin: the run's directory, and compose's argv, directory and environment. */
export interface SuperviseJob {
  dir: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * The job the daemon wrote to a supervisor's stdin, or null when it closed
 * stdin with none (a spare no longer needed). Checked by hand: zod stays out
 * of the supervisor.
 */
export function parseSuperviseJob(text: string): SuperviseJob | null {
  if (text.trim() === "") return null;
  const job = JSON.parse(text) as Partial<Record<keyof SuperviseJob, unknown>>;
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");
  const { dir, argv, cwd, env } = job;
  if (typeof dir !== "string" || !path.isAbsolute(dir) || typeof cwd !== "string" || !strings(argv) || argv.length === 0) throw new Error("the run to supervise is malformed");
  if (typeof env !== "object" || env === null || !strings(Object.values(env))) throw new Error("the run's environment is malformed");
  return { dir, argv, cwd, env: env as Record<string, string> };
}

/**
 * The supervisor's work: runs compose, appends each line of its stdout and
 * stderr to the run's output file (one JSON record a line, in the order read),
 * then writes the exit record atomically.
 */
export function superviseRun(dir: string, argv: string[], options: { cwd: string; env: Record<string, string> }): Supervision {
  const started = performance.now();
  const out = openSync(path.join(dir, OUTPUT), "a", 0o600);
  let lastError: string | null = null;
  const write = (stream: "stdout" | "stderr", lines: string[]): void => {
    const at = new Date().toISOString();
    let text = "";
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      if (stream === "stderr" && line.trim() !== "") lastError = line.trim();
      text += `${JSON.stringify({ stream, line, at })}\n`;
    }
    if (text !== "") writeSync(out, text);
  };
  const finish = (exit: Omit<ExitData, "kind" | "durationMs">): void => {
    // The run's logins go before its exit is recorded: nothing that sees the exit finds them.
    removeRunDockerConfig(dir);
    closeSync(out);
    writeAtomically(path.join(dir, EXIT), `${JSON.stringify({ kind: "exit", ...exit, durationMs: Math.round(performance.now() - started) })}\n`);
  };

  let child: ChildProcess;
  try {
    child = spawnCompose(argv, options);
  } catch (error) {
    finish({ exitCode: null, signal: null, message: `could not run ${argv.slice(0, 2).join(" ")}: ${error instanceof Error ? error.message : String(error)}` });
    return { stop: () => undefined, done: Promise.resolve() };
  }
  const running = child;
  for (const [name, pipe] of [
    ["stdout", running.stdout],
    ["stderr", running.stderr],
  ] as const) {
    if (pipe === null) continue;
    const splitter = new LineSplitter(MAX_OUTPUT_LINE);
    pipe.on("data", (chunk: Buffer) => write(name, splitter.push(chunk)));
    pipe.once("end", () => write(name, splitter.end()));
  }
  const done = new Promise<void>((resolve) => {
    let ended = false;
    running.once("error", (error) => {
      if (ended) return;
      ended = true;
      finish({ exitCode: null, signal: null, message: `could not run ${argv.slice(0, 2).join(" ")}: ${error.message}` });
      resolve();
    });
    // "close" comes after both pipes ended, so every line is written before the exit.
    running.once("close", (exitCode, signal) => {
      if (ended) return;
      ended = true;
      finish({ exitCode, signal, message: exitCode === 0 ? null : lastError });
      resolve();
    });
  });
  return { stop: () => terminateCompose(running), done };
}

export function writeAtomically(target: string, content: string): void {
  const temporary = `${target}.tmp-${process.pid}`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, target);
}
