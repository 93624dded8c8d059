// Starting and stopping compose's process, kept apart from the rest of the
// compose module: `wharf-agent supervise` needs only this, and every module it
// imports is evaluated before compose can start.
import { type ChildProcess, spawn } from "node:child_process";

/** How long compose gets to stop after SIGTERM before the agent sends SIGKILL. */
export const COMPOSE_KILL_GRACE_MS = 5_000;

/**
 * Starts compose in its own process group: `docker compose` runs the compose
 * plugin as a child process, and a cancel must stop both.
 */
export function spawnCompose(argv: string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error("empty compose argv");
  return spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
}

/** SIGTERM to compose's process group, SIGKILL after the grace period if anything of it is still there. */
export function terminateCompose(child: ChildProcess, graceMs = COMPOSE_KILL_GRACE_MS): void {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
  timer.unref();
  // Once the leader is gone, only a plugin stuck in shutdown could remain: kill it sooner.
  child.once("exit", () => {
    clearTimeout(timer);
    setTimeout(() => signalGroup(pid, "SIGKILL"), Math.min(graceMs, 1_000)).unref();
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group already exited.
  }
}
