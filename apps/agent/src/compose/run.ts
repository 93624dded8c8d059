import type { ChildProcess } from "node:child_process";
import { Readable } from "node:stream";

import { type ComposeRunData, MAX_OUTPUT_LINE } from "@wharf/agent-protocol";

import { spawnCompose, terminateCompose } from "../docker/compose";
import { AgentFailure } from "../failure";
import { LineSplitter } from "./lines";

// Pause compose's pipes once this many lines wait for a slow client.
const HIGH_WATER_LINES = 256;

/**
 * One compose command as an object stream of `ComposeRunData`: its stdout and
 * stderr line by line, then its exit. Destroying the stream (the client went
 * away, the agent is stopping) cancels: compose's process group gets SIGTERM,
 * then SIGKILL. `onExit` runs once, when compose has exited (or failed to start).
 */
export function composeRunStream(
  argv: string[],
  options: { cwd: string; env: Record<string, string>; onExit: () => void },
): Readable {
  const started = performance.now();
  let exited = false;
  const onExit = (): void => {
    if (exited) return;
    exited = true;
    options.onExit();
  };
  let child: ChildProcess | undefined;
  let lastError: string | null = null;
  const pipes: Readable[] = [];

  const stream = new Readable({
    objectMode: true,
    highWaterMark: HIGH_WATER_LINES,
    read() {
      for (const pipe of pipes) pipe.resume();
    },
    destroy(error, callback) {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) terminateCompose(child);
      callback(error);
    },
  });

  try {
    child = spawnCompose(argv, options);
  } catch (error) {
    onExit();
    throw error;
  }
  const running = child;
  const push = (data: ComposeRunData): void => {
    if (stream.destroyed) return;
    if (!stream.push(data)) for (const pipe of pipes) pipe.pause();
  };

  for (const [name, pipe] of [
    ["stdout", running.stdout],
    ["stderr", running.stderr],
  ] as const) {
    if (pipe === null) continue;
    pipes.push(pipe);
    const splitter = new LineSplitter(MAX_OUTPUT_LINE);
    const emit = (lines: string[]): void => {
      const at = new Date().toISOString();
      for (const raw of lines) {
        const line = raw.replace(/\r$/, "");
        if (name === "stderr" && line.trim() !== "") lastError = line.trim();
        push({ kind: "output", stream: name, line, at });
      }
    };
    pipe.on("data", (chunk: Buffer) => emit(splitter.push(chunk)));
    pipe.once("end", () => emit(splitter.end()));
  }

  running.once("error", (error) => {
    onExit();
    stream.destroy(new AgentFailure("COMPOSE_FAILED", `could not run ${argv.slice(0, 2).join(" ")}: ${error.message}`));
  });
  // "close" comes after both pipes ended, so every line is out before the exit.
  running.once("close", (exitCode, signal) => {
    onExit();
    push({
      kind: "exit",
      exitCode,
      signal,
      message: exitCode === 0 ? null : lastError,
      durationMs: Math.round(performance.now() - started),
    });
    if (!stream.destroyed) stream.push(null);
  });
  return stream;
}
