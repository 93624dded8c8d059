import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

import { type ComposeRunData, composeRunData } from "@wharf/agent-protocol";
import { afterAll, describe, expect, it } from "vitest";

import { followRun, runDir, runState, startRun } from "./run";
import { Supervisors } from "./supervisors";

const tmp = mkdtempSync(path.join(os.tmpdir(), "wharf-supervisors-"));
const env = { PATH: "/usr/bin:/bin" };
const log = path.join(tmp, "supervisor.log");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const exited = (child: ChildProcess): Promise<unknown> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve)));

describe("supervisors started ahead of need", () => {
  // `sh -c 'cat >/dev/null' supervise` stands in for a spare: it waits on stdin and exits when it closes.
  const standIn: [string, string[]] = ["sh", ["-c", "cat >/dev/null"]];

  it("hands out the spare it started, starts the next one, and lets a spare go when asked", async () => {
    const supervisors = new Supervisors({ command: standIn, env, log });
    supervisors.warm();
    const first = supervisors.take();
    const second = supervisors.take();
    expect(second.pid).not.toBe(first.pid);
    first.stdin?.end();
    second.stdin?.end();
    await Promise.all([exited(first), exited(second)]);
    supervisors.retire();
  });

  it("never hands out a spare that died, and a spare with no run exits once its wait is over", async () => {
    const pids = path.join(tmp, "pids");
    writeFileSync(pids, "");
    const supervisors = new Supervisors({ command: ["sh", ["-c", `echo $$ >> ${pids}; cat >/dev/null`]], env, log, idleMs: 300 });
    const started = async (count: number): Promise<number[]> => {
      for (;;) {
        const lines = readFileSync(pids, "utf8").trim().split("\n").map(Number);
        if (lines.length >= count) return lines;
        await sleep(20);
      }
    };
    supervisors.warm();
    await sleep(100);
    const [first = 0] = await started(1);
    process.kill(first, "SIGKILL");
    await sleep(100);
    const taken = supervisors.take();
    expect(taken.pid).not.toBe(first);
    taken.stdin?.end();
    await exited(taken);
    const [, , next = 0] = await started(3);
    expect(alive(next)).toBe(true);
    await sleep(1_000);
    expect(alive(next)).toBe(false);
  });
});

// Spares are this process's children, reaped as they exit: a pid gone from /proc is a spare that exited.
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

describe("a run under the agent's own supervisor", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const command: [string, string[]] = [process.execPath, ["--import", tsx, path.join(root, "src/main.ts")]];
  const socket = path.join(tmp, "agent.sock");

  it("runs the argv it was handed on stdin in the given directory and environment, and records its exit", async () => {
    const supervisors = new Supervisors({ command, env, log });
    supervisors.warm();
    const dir = runDir(socket, "demo", "handed");
    const supervisor = startRun(dir, ["sh", "-c", 'pwd; echo "$GREETING" >&2; exit 4'], { supervisors, cwd: tmp, env: { ...env, GREETING: "hello" } });
    const frames: ComposeRunData[] = [];
    for await (const data of followRun(dir, 0)) frames.push(composeRunData.parse(data));
    await exited(supervisor);
    supervisors.retire();
    expect(frames.flatMap((frame) => (frame.kind === "output" ? [`${frame.stream}:${frame.line}`] : []))).toEqual([`stdout:${tmp}`, "stderr:hello"]);
    expect(frames.at(-1)).toMatchObject({ kind: "exit", exitCode: 4, message: "hello" });
    // The pid file names the supervisor by pid and start time.
    expect(readFileSync(path.join(dir, "pid"), "utf8")).toMatch(new RegExp(`^${supervisor.pid} \\d+\\n$`));
    expect(await runState(dir)).toBe("finished");
  });
});
