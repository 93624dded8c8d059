import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";

import { composeEnv } from "../docker/compose";
import type { HandlerContext } from "../handlers/context";
import { selfCommand } from "../self";
import { agentDirs } from "./project-dir";

/** How long a supervisor started ahead of need waits for a run before it exits (it holds about 40 MiB meanwhile): a run follows its preflight within a second. */
export const SPARE_IDLE_MS = 10_000;

export interface SupervisorOptions {
  /** How to run this agent's own executable. */
  command: [string, string[]];
  env: Record<string, string>;
  /** Where supervisors write what they print (only a crash prints). */
  log: string;
  idleMs?: number;
}

/**
 * Starts `wharf-agent supervise` processes (see supervise.ts), each in its own
 * session so it outlives the daemon, and keeps one spare started ahead of
 * need: Node's start-up (60-150 ms on a busy host) then happens before a
 * compose run rather than between the request and compose's first line. A
 * spare reads its run from stdin; it exits when that closes with no run in it
 * (after `idleMs`, or when the daemon is gone).
 */
export class Supervisors {
  private spare: ChildProcess | null = null;
  private expiry: NodeJS.Timeout | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  /** Has a spare waiting for the next `idleMs`. */
  warm(): void {
    if (!usable(this.spare)) this.spare = this.spawn();
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.retire(), this.options.idleMs ?? SPARE_IDLE_MS);
    this.expiry.unref();
  }

  /** A supervisor for one run: the spare if it is alive, else a new one; a spare is started for the run after it. */
  take(): ChildProcess {
    const spare = this.spare;
    this.spare = null;
    const taken = spare !== null && usable(spare) ? spare : this.spawn();
    this.warm();
    return taken;
  }

  /** Lets the spare exit. */
  retire(): void {
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.expiry = null;
    this.spare?.stdin?.end();
    this.spare = null;
  }

  private spawn(): ChildProcess {
    const [file, args] = this.options.command;
    mkdirSync(path.dirname(this.options.log), { recursive: true, mode: 0o700 });
    const log = openSync(this.options.log, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(file, [...args, "supervise"], { cwd: "/", env: this.options.env, detached: true, stdio: ["pipe", log, log] });
    } finally {
      closeSync(log);
    }
    // Writing to one that died fails on its pipe; the run then finds no supervisor and says so.
    child.stdin?.on("error", () => undefined);
    child.once("error", () => undefined);
    // A waiting spare never keeps this process alive.
    child.unref();
    (child.stdin as { unref?: () => void } | null)?.unref?.();
    return child;
  }
}

function usable(child: ChildProcess | null): child is ChildProcess {
  return child !== null && child.pid !== undefined && child.exitCode === null && child.signalCode === null && child.stdin?.writable === true;
}

const byAgent = new Map<string, Supervisors>();

/** The daemon's supervisors (one set per agent socket). */
export function supervisorsFor(ctx: HandlerContext): Supervisors {
  let supervisors = byAgent.get(ctx.agent.socketPath);
  if (supervisors === undefined) {
    supervisors = new Supervisors({ command: selfCommand([]), env: composeEnv(ctx.env.childEnv), log: path.join(agentDirs(ctx.agent.socketPath).state, "supervisor.log") });
    byAgent.set(ctx.agent.socketPath, supervisors);
  }
  return supervisors;
}
