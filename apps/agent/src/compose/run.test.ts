import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { type ComposeRunData, composeRunData } from "@wharf/agent-protocol";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { cancelRun, followRun, processStart, pruneRuns, RUN_KEEP_MS, runDir, runState } from "./run";
import { parseSuperviseJob, superviseRun } from "./supervise";

// sh stands in for compose, and the supervisor runs in this process; a
// long-lived `sh ... supervise DIR` stands in for the supervisor's process
// (its command line is what the agent checks before trusting a pid file).
const env = { PATH: "/usr/bin:/bin" };
const tmp = mkdtempSync(path.join(os.tmpdir(), "wharf-run-"));
const socket = path.join(tmp, "agent.sock");
const standIns: ChildProcess[] = [];
let runs = 0;

afterEach(() => {
  for (const child of standIns.splice(0)) child.kill("SIGKILL");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh run directory whose pid file names a live stand-in supervisor. */
function newRun(): string {
  const dir = runDir(socket, "demo", `run-${runs++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "output.ndjson"), "");
  const standIn = spawn("sh", ["-c", "sleep 300; :", "supervise", dir], { stdio: "ignore" });
  standIns.push(standIn);
  writeFileSync(path.join(dir, "pid"), `${standIn.pid}\n`);
  return dir;
}

async function collect(stream: Readable): Promise<ComposeRunData[]> {
  const out: ComposeRunData[] = [];
  for await (const data of stream) out.push(composeRunData.parse(data));
  return out;
}

const lines = (frames: ComposeRunData[]): string[] => frames.flatMap((frame) => (frame.kind === "output" ? [`${frame.stream}:${frame.line}`] : []));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a supervised run", () => {
  it("records stdout and stderr lines, then the exit with the last error line; a follower from line N gets the rest", async () => {
    const dir = newRun();
    const run = superviseRun(dir, ["sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; printf 'no newline'; sleep 0.1; echo 'boom' >&2; exit 3"], { cwd: tmp, env });
    const frames = await collect(followRun(dir, 0));
    await run.done;
    // A last line without a newline comes out when its pipe ends.
    expect(lines(frames)).toEqual(["stdout:one", "stderr:two", "stderr:boom", "stdout:no newline"]);
    expect(frames.at(-1)).toMatchObject({ kind: "exit", exitCode: 3, signal: null, message: "boom" });
    expect(await runState(dir)).toBe("finished");

    const rest = await collect(followRun(dir, 2));
    expect(lines(rest)).toEqual(["stderr:boom", "stdout:no newline"]);
    expect(rest.at(-1)).toMatchObject({ kind: "exit", exitCode: 3 });
  });

  it("keeps every line once and in order while followers come and go", async () => {
    const dir = newRun();
    const run = superviseRun(dir, ["sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done"], { cwd: tmp, env });
    const first = followRun(dir, 0);
    const seen: string[] = [];
    for await (const data of first) {
      const frame = composeRunData.parse(data);
      if (frame.kind === "output") seen.push(frame.line);
      if (seen.length === 700) break;
    }
    // The follower went away (as when the agent dies): compose went on.
    const rest = await collect(followRun(dir, seen.length));
    await run.done;
    expect([...seen, ...rest.flatMap((frame) => (frame.kind === "output" ? [frame.line] : []))]).toEqual(Array.from({ length: 2000 }, (_, i) => `line ${i}`));
    expect(rest.at(-1)).toMatchObject({ kind: "exit", exitCode: 0 });
  });

  it("reads the file only as fast as the reader reads", async () => {
    const dir = newRun();
    const run = superviseRun(dir, ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done"], { cwd: tmp, env });
    await run.done;
    const stream = followRun(dir, 0);
    stream.resume();
    stream.pause();
    await sleep(300);
    expect(stream.readableLength).toBeLessThan(1000);
    expect((await collect(stream)).filter((frame) => frame.kind === "output")).toHaveLength(3000);
  });

  it("stop kills compose's whole process group and records the signal", async () => {
    const dir = newRun();
    const run = superviseRun(dir, ["sh", "-c", "sleep 300 & echo $!; wait"], { cwd: tmp, env });
    const follower = followRun(dir, 0);
    const first = await new Promise<ComposeRunData>((resolve) => follower.once("data", resolve));
    follower.pause();
    const sleeper = Number(first.kind === "output" ? first.line : NaN);
    expect(alive(sleeper)).toBe(true);
    run.stop();
    await run.done;
    const deadline = Date.now() + 5_000;
    while (alive(sleeper) && Date.now() < deadline) await sleep(20);
    expect(alive(sleeper)).toBe(false);
    const frames = await collect(follower);
    expect(frames.at(-1)).toMatchObject({ kind: "exit", exitCode: null, signal: "SIGTERM" });
  });

  it("cancelRun signals only a live supervisor", async () => {
    const dir = newRun();
    const standIn = standIns.at(-1);
    expect(await runState(dir)).toBe("running");
    expect(cancelRun(dir)).toBe(true);
    await new Promise((resolve) => standIn?.once("exit", resolve));
    expect(cancelRun(dir)).toBe(false);
  });

  it("trusts a pid file only for the process that started at its start time (pids are reused)", async () => {
    const dir = newRun();
    const pid = standIns.at(-1)?.pid ?? 0;
    writeFileSync(path.join(dir, "pid"), `${pid} ${processStart(pid)}\n`);
    expect(await runState(dir)).toBe("running");
    writeFileSync(path.join(dir, "pid"), `${pid} 1\n`);
    expect(await runState(dir)).toBe("lost");
    expect(cancelRun(dir)).toBe(false);
  });

  it("reads the run handed on stdin, none from a spare let go, and refuses a malformed one", () => {
    const job = { dir: "/data/state/demo/runs/r1", argv: ["docker", "compose", "up"], cwd: "/data/stacks/demo", env: { PATH: "/bin" } };
    expect(parseSuperviseJob(`${JSON.stringify(job)}\n`)).toEqual(job);
    expect(parseSuperviseJob("")).toBeNull();
    expect(() => parseSuperviseJob(JSON.stringify({ ...job, argv: [] }))).toThrow(/malformed/);
    expect(() => parseSuperviseJob(JSON.stringify({ ...job, dir: "relative" }))).toThrow(/malformed/);
    expect(() => parseSuperviseJob(JSON.stringify({ ...job, env: { PATH: 1 } }))).toThrow(/environment is malformed/);
    expect(() => parseSuperviseJob('{"dir": "/x", "argv": ["a"]')).toThrow();
  });

  it("fails a follower when the supervisor died without an exit record", async () => {
    const dir = newRun();
    writeFileSync(path.join(dir, "output.ndjson"), `${JSON.stringify({ stream: "stdout", line: "half", at: new Date().toISOString() })}\n`);
    standIns.at(-1)?.kill("SIGKILL");
    await sleep(100);
    expect(await runState(dir)).toBe("lost");
    const frames: ComposeRunData[] = [];
    await expect(
      (async () => {
        for await (const data of followRun(dir, 0)) frames.push(composeRunData.parse(data));
      })(),
    ).rejects.toThrow(/stopped without recording how it ended/);
    expect(lines(frames)).toEqual(["stdout:half"]);
  });

  it("prunes only runs that ended long ago", async () => {
    const old = newRun();
    await superviseRun(old, ["true"], { cwd: tmp, env }).done;
    const live = newRun();
    await pruneRuns(socket, "demo", Date.now() + RUN_KEEP_MS + 60_000);
    expect(await runState(old)).toBe("missing");
    expect(await runState(live)).toBe("running");
  });

  it("refuses run ids and project names that are not plain names", () => {
    expect(() => runDir(socket, "demo", "../x")).toThrow(/invalid run id/);
    expect(() => runDir(socket, "../demo", "x")).toThrow(/invalid project name/);
  });
});
