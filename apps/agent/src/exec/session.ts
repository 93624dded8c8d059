import { Readable } from "node:stream";

import type { ContainerExecFrame } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import type { Logger } from "../log";

/**
 * Runs first in the exec: prints its pid (the session's, as Docker makes a TTY
 * exec a session leader) on the first line, then becomes the shell asked for,
 * else bash when the container has it, else sh.
 */
export const SHELL_WRAPPER = 'printf "%s\\n" "$$"; if [ "$#" -gt 0 ]; then exec "$@"; fi; if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh';

/**
 * Ends every process of session `$1` (the shell and all it started, background
 * jobs included): SIGHUP first, as a terminal hang-up would, then SIGKILL to
 * what is left, and exits 0 once none remains (zombies aside). Reads /proc, so
 * it needs no ps. A process that started its own session (setsid) escapes it.
 */
export const SESSION_KILLER = [
  't=$1; n=0',
  "while :; do",
  '  found=""',
  "  for f in /proc/[0-9]*/stat; do",
  '    { read -r l < "$f"; } 2>/dev/null || continue',
  // After the command name ("(...) "): state ppid pgrp session. A zombie is dead already (and a container
  // whose pid 1 does not reap keeps it forever).
  '    set -- ${l##*) }',
  '    if [ "$4" = "$t" ] && [ "$1" != Z ]; then p=${f#/proc/}; found="$found ${p%/stat}"; fi',
  "  done",
  '  [ -z "$found" ] && exit 0',
  "  n=$((n + 1))",
  "  if [ $n -eq 1 ]; then kill -HUP $found 2>/dev/null; elif [ $n -le 30 ]; then kill -KILL $found 2>/dev/null; else exit 1; fi",
  "  sleep 0.1 2>/dev/null || sleep 1",
  "done",
].join("\n");

// The pid line is short; anything longer means the wrapper did not run (e.g. the container has no sh).
const MAX_PID_LINE = 32;
const HIGH_WATER_FRAMES = 64;

const execState = z.object({ Running: z.boolean(), ExitCode: z.number().nullish() });

export interface ExecOptions {
  container: string;
  shell: string | undefined;
  user: string | undefined;
  cols: number;
  rows: number;
}

/**
 * One `docker exec -it` as an object stream of ContainerExecFrame. Destroying
 * it before the shell exited (the client left) kills the shell's whole session
 * inside the container, since Docker has no call that stops an exec.
 */
export class ExecSession extends Readable {
  private exec: Docker.Exec | null = null;
  private io: NodeJS.ReadWriteStream | null = null;
  private pid: number | null = null;
  private head = "";
  private exited = false;

  constructor(
    private readonly docker: Docker,
    private readonly options: ExecOptions,
    private readonly log: Logger,
  ) {
    super({ objectMode: true, highWaterMark: HIGH_WATER_FRAMES });
  }

  /** Creates and starts the exec; resolves once its TTY is attached. */
  async start(signal: AbortSignal): Promise<void> {
    const container = this.docker.getContainer(this.options.container);
    this.exec = await container.exec({
      Cmd: ["sh", "-c", SHELL_WRAPPER, "wharf-shell", ...(this.options.shell ? [this.options.shell] : [])],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Env: ["TERM=xterm-256color"],
      ...(this.options.user ? { User: this.options.user } : {}),
      abortSignal: signal,
    });
    const io = (await this.exec.start({ hijack: true, stdin: true, Tty: true })) as NodeJS.ReadWriteStream;
    this.io = io;
    io.on("data", (chunk: Buffer) => this.onOutput(chunk));
    io.once("end", () => this.onEnd());
    io.once("error", (error: Error) => this.destroy(error));
  }

  write(data: Buffer): void {
    this.io?.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.exec?.resize({ w: cols, h: rows });
  }

  override _read(): void {
    (this.io as { resume?: () => void } | null)?.resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Before the pid line the shell cannot be named yet: onOutput ends it as soon as it can.
    if (this.exited || this.pid !== null) this.hangUp();
    callback(error);
  }

  /** Kills what still runs of the session, then lets go of Docker's stream. */
  private hangUp(): void {
    const pid = this.pid;
    const release = (): void => {
      (this.io as { destroy?: () => void } | null)?.destroy?.();
    };
    if (this.exited || pid === null || pid <= 0) {
      release();
      return;
    }
    this.killSession(pid)
      .catch((failure: unknown) => this.log.error("could not end a terminal's processes", { container: this.options.container, pid, error: String(failure) }))
      .finally(release);
  }

  private send(frame: ContainerExecFrame): void {
    if (this.destroyed) return;
    if (!this.push(frame)) (this.io as { pause?: () => void } | null)?.pause?.();
  }

  private onOutput(chunk: Buffer): void {
    if (this.pid === null) {
      this.head += chunk.toString("latin1");
      const newline = this.head.indexOf("\n");
      if (newline === -1 && this.head.length < MAX_PID_LINE) return;
      const line = newline === -1 ? "" : this.head.slice(0, newline).replace(/\r$/, "");
      const rest = Buffer.from(newline === -1 ? this.head : this.head.slice(newline + 1), "latin1");
      this.head = "";
      if (/^\d+$/.test(line)) {
        this.pid = Number(line);
        if (this.destroyed) {
          this.hangUp();
          return;
        }
        this.send({ type: "started", pid: this.pid });
        // The TTY exists now: give it the client's size (the shell reads it when it starts, or on SIGWINCH).
        this.resize(this.options.cols, this.options.rows).catch((error: unknown) => this.log.warn("terminal resize failed", { error: String(error) }));
      } else {
        // No pid line: the wrapper never ran (no sh in the container); show what Docker said.
        this.pid = 0;
        if (this.destroyed) this.hangUp();
      }
      if (rest.length > 0) this.send({ type: "output", data: rest.toString("base64") });
      return;
    }
    this.send({ type: "output", data: chunk.toString("base64") });
  }

  private onEnd(): void {
    this.exited = true;
    if (this.head !== "") this.send({ type: "output", data: Buffer.from(this.head, "latin1").toString("base64") });
    const exec = this.exec;
    if (!exec) {
      this.push(null);
      return;
    }
    exec
      .inspect()
      .then((raw) => parseDockerResponse(execState, raw, "exec"))
      .then(
        (state) => this.send({ type: "exit", code: state.ExitCode ?? null }),
        () => this.send({ type: "exit", code: null }),
      )
      .finally(() => {
        if (!this.destroyed) this.push(null);
      });
  }

  /** Runs SESSION_KILLER as root in the container; resolves when it reports the session empty. */
  private async killSession(pid: number): Promise<void> {
    const killer = await this.docker.getContainer(this.options.container).exec({
      Cmd: ["sh", "-c", SESSION_KILLER, "wharf-kill", String(pid)],
      User: "0",
      AttachStdout: true,
      AttachStderr: true,
    });
    const output = (await killer.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
    output.resume();
    await new Promise<void>((resolve) => {
      output.once("end", resolve);
      output.once("error", () => resolve());
    });
    const state = parseDockerResponse(execState, await killer.inspect(), "exec");
    if (state.ExitCode !== 0) throw new Error(`the session of pid ${pid} still had processes after SIGKILL`);
    this.log.info("terminal ended by the agent", { container: this.options.container, pid });
  }
}

/** Open sessions by the id the control plane gave them, for execInput and execResize. */
export const execSessions = new Map<string, ExecSession>();
