import type { ChildProcess } from "node:child_process";
import { type FSWatcher, mkdirSync, readFileSync, watch, writeFileSync } from "node:fs";
import { type FileHandle, open, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";

import { composeProjectName, type ComposeRunData, composeRunData, composeRunId, type RegistryAuth } from "@wharf/agent-protocol";

import { removeRunDockerConfig, writeRunDockerConfig } from "../docker/run-docker-config";
import { AgentFailure } from "../failure";
import { EXIT, OUTPUT, type SuperviseJob, writeAtomically } from "./supervise";
import type { Supervisors } from "./supervisors";

// A compose run lives in <agent data dir>/state/<project>/runs/<runId>/, written
// by a supervisor process (`wharf-agent supervise`) in its own session, so
// compose outlives the agent daemon: a restarted daemon follows the same files.
const PID = "pid";

// Pause reading the output file once this many lines wait for a slow client.
const HIGH_WATER_LINES = 256;
const READ_BYTES = 64 * 1024;
// A follower wakes when the run's directory changes (output appended, exit
// written); this poll is the fallback where no change notice comes.
const FOLLOW_POLL_MS = 100;
/** Finished runs are kept this long, for a control plane that lost the stream to re-attach. */
export const RUN_KEEP_MS = 24 * 60 * 60_000;

type ExitData = Extract<ComposeRunData, { kind: "exit" }>;
const outputRecord = composeRunData.options[0].omit({ kind: true });
const exitRecord = composeRunData.options[1];

/** `<agent data dir>/state/<project>/runs`: the agent data dir is the directory of its socket. */
export function runsRoot(socketPath: string, project: string): string {
  if (!composeProjectName.safeParse(project).success) throw new AgentFailure("BAD_REQUEST", `invalid project name ${JSON.stringify(project)}`);
  return path.join(path.dirname(socketPath), "state", project, "runs");
}

export function runDir(socketPath: string, project: string, runId: string): string {
  if (!composeRunId.safeParse(runId).success) throw new AgentFailure("BAD_REQUEST", `invalid run id ${JSON.stringify(runId)}`);
  return path.join(runsRoot(socketPath, project), runId);
}

/**
 * Starts `argv` under a supervisor taken from `supervisors` (a process in its
 * own session, detached from the daemon: it survives the daemon's death). The
 * returned process is the supervisor; its exit means the run is over.
 */
export function startRun(
  dir: string,
  argv: string[],
  options: { supervisors: Pick<Supervisors, "take">; cwd: string; env: Record<string, string>; registryAuths?: RegistryAuth[] | undefined },
): ChildProcess {
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (errorCode(error) === "EEXIST") throw new AgentFailure("CONFLICT", `compose run ${path.basename(dir)} already exists on this host; start a new run`);
    throw error;
  }
  // Created before the supervisor starts, so a follower never finds it missing.
  writeFileSync(path.join(dir, OUTPUT), "", { flag: "wx", mode: 0o600 });
  const env = options.registryAuths?.length ? writeRunDockerConfig(dir, options.registryAuths, options.env) : options.env;
  const child = options.supervisors.take();
  const pid = child.pid;
  const started = pid === undefined ? null : processStart(pid);
  if (pid === undefined || started === null) {
    removeRunDockerConfig(dir);
    throw new AgentFailure("COMPOSE_FAILED", "could not start compose's supervisor (the agent's own executable)");
  }
  const job: SuperviseJob = { dir, argv, cwd: options.cwd, env };
  child.stdin?.end(`${JSON.stringify(job)}\n`);
  // With its start time: the pid alone may name another process once this one is gone.
  writeAtomically(path.join(dir, PID), `${pid} ${started}\n`);
  return child;
}

/** When a process started (clock ticks after boot, from /proc): with its pid, it names one process, as pids are reused. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the fields after the command's closing parenthesis start at field 3.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

export type RunState = "running" | "finished" | "lost" | "missing";

/** Whether the run is going on, over (its exit is recorded), lost (its supervisor died without recording one) or unknown here. */
export async function runState(dir: string): Promise<RunState> {
  if (await exists(path.join(dir, EXIT))) return "finished";
  if (!(await exists(dir))) return "missing";
  if (supervisorPid(dir) !== null) return "running";
  // The supervisor may have written its exit between the two checks.
  return (await exists(path.join(dir, EXIT))) ? "finished" : "lost";
}

/** The live supervisor's pid, or null: checked against its command line and start time, as pids are reused. */
function supervisorPid(dir: string): number | null {
  let fields: string[];
  try {
    fields = readFileSync(path.join(dir, PID), "utf8").trim().split(" ");
  } catch {
    return null;
  }
  const pid = Number.parseInt(fields[0] ?? "", 10);
  const started = fields[1];
  if (!Number.isInteger(pid) || pid <= 1) return null;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!argv.includes("supervise")) return null;
    // A pid file without a start time was written by an older agent, whose supervisors carried the run's directory in their argv.
    if (started === undefined ? !argv.includes(dir) : processStart(pid) !== started) return null;
    const status = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = status.slice(status.lastIndexOf(")") + 2, status.lastIndexOf(")") + 3);
    return state === "Z" || state === "X" ? null : pid;
  } catch {
    return null;
  }
}

/** The id of a run of `project` still going on (under a previous daemon too), or null. */
export async function liveRun(socketPath: string, project: string): Promise<string | null> {
  const root = runsRoot(socketPath, project);
  for (const runId of await readdir(root).catch(() => [])) {
    if ((await runState(path.join(root, runId))) === "running") return runId;
  }
  return null;
}

/** Removes the project's runs that ended more than RUN_KEEP_MS ago. */
export async function pruneRuns(socketPath: string, project: string, now = Date.now()): Promise<void> {
  const root = runsRoot(socketPath, project);
  for (const runId of await readdir(root).catch(() => [])) {
    const dir = path.join(root, runId);
    if ((await runState(dir)) === "running") continue;
    const changed = await stat(path.join(dir, EXIT)).catch(() => stat(dir).catch(() => null));
    if (changed !== null && now - changed.mtimeMs > RUN_KEEP_MS) await rm(dir, { recursive: true, force: true });
  }
}

/** Sends SIGTERM to the run's supervisor, which stops compose; false when the run is not going on. */
export function cancelRun(dir: string): boolean {
  const pid = supervisorPid(dir);
  if (pid === null) return false;
  try {
    process.kill(pid, "SIGTERM");
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's output from line `fromLine` (0-based) as `ComposeRunData`, then
 * its exit; follows the files while the run goes on, at the reader's pace.
 * Fails with COMPOSE_FAILED when the supervisor died without an exit record.
 */
export function followRun(dir: string, fromLine: number): Readable {
  let handle: FileHandle | null = null;
  let position = 0;
  let line = 0;
  let partial = "";
  let pumping = false;
  const buffer = Buffer.alloc(READ_BYTES);
  const decoder = new TextDecoder("utf-8");
  // Set by every change notice, cleared before each look: a change during a look is never slept through.
  let changed = false;
  let wake: (() => void) | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, () => {
      changed = true;
      wake?.();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // No change notices here (e.g. out of inotify watches): the poll alone follows the run.
  }
  const nextChange = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, FOLLOW_POLL_MS);
      wake = done;
    });

  const stream = new Readable({
    objectMode: true,
    highWaterMark: HIGH_WATER_LINES,
    read() {
      void pump().catch((error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))));
    },
    destroy(error, callback) {
      watcher?.close();
      wake?.();
      const closing = handle;
      handle = null;
      if (closing === null) callback(error);
      else void closing.close().finally(() => callback(error));
    },
  });

  /** Pushes the complete records of `text`; false once the reader wants no more for now. */
  const emit = (text: string): boolean => {
    const records = (partial + text).split("\n");
    partial = records.pop() ?? "";
    let more = true;
    for (const record of records) {
      const index = line++;
      if (index < fromLine) continue;
      const parsed = parseOutput(record);
      // A record cut short (the disk filled up) still counts as a line, so numbering stays stable.
      if (parsed !== null) more = stream.push(parsed);
    }
    return more;
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      handle ??= await open(path.join(dir, OUTPUT), "r");
      while (!stream.destroyed) {
        changed = false;
        // Looked at before reading: once the exit is recorded, reading to the end gets every line.
        const state = await runState(dir);
        const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, position);
        if (stream.destroyed) return;
        if (bytesRead > 0) {
          position += bytesRead;
          if (!emit(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }))) return;
          continue;
        }
        if (state === "finished") {
          stream.push(await readExit(dir));
          stream.push(null);
          return;
        }
        if (state !== "running") {
          throw new AgentFailure("COMPOSE_FAILED", `compose run ${path.basename(dir)} stopped without recording how it ended (was its process killed or the host restarted?)`);
        }
        if (!changed) await nextChange();
      }
    } finally {
      pumping = false;
    }
  };
  return stream;
}

function parseOutput(record: string): ComposeRunData | null {
  try {
    const parsed = outputRecord.safeParse(JSON.parse(record));
    return parsed.success ? { kind: "output", ...parsed.data } : null;
  } catch {
    return null;
  }
}

async function readExit(dir: string): Promise<ExitData> {
  const parsed = exitRecord.safeParse(JSON.parse(await readFile(path.join(dir, EXIT), "utf8")));
  if (!parsed.success) throw new AgentFailure("COMPOSE_FAILED", `the exit record of compose run ${path.basename(dir)} is unreadable`);
  return parsed.data;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
}
