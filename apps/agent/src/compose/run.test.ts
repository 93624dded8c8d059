import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { type ComposeRunData, composeRunData } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { composeRunStream } from "./run";

// The stream is tested with sh standing in for compose: the process handling is the same.
const env = { PATH: "/usr/bin:/bin" };

async function collect(stream: Readable): Promise<ComposeRunData[]> {
  const out: ComposeRunData[] = [];
  for await (const data of stream) out.push(composeRunData.parse(data));
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("composeRunStream", () => {
  it("streams stdout and stderr lines, then the exit with the last error line", async () => {
    let exits = 0;
    const stream = composeRunStream(["sh", "-c", "echo one; echo two >&2; printf 'no newline'; echo 'boom' >&2; exit 3"], {
      cwd: "/",
      env,
      onExit: () => exits++,
    });
    const frames = await collect(stream);
    const output = frames.flatMap((frame) => (frame.kind === "output" ? [`${frame.stream}:${frame.line}`] : []));
    expect(output.sort()).toEqual(["stderr:boom", "stderr:two", "stdout:no newline", "stdout:one"]);
    expect(frames.at(-1)).toMatchObject({ kind: "exit", exitCode: 3, signal: null, message: "boom" });
    expect(exits).toBe(1);
  });

  it("kills the whole process group when destroyed (a cancelled run)", async () => {
    let exited = false;
    const stream = composeRunStream(["sh", "-c", "sleep 300 & echo $!; wait"], { cwd: "/", env, onExit: () => (exited = true) });
    const first = await new Promise<ComposeRunData>((resolve) => stream.once("data", resolve));
    const sleeper = Number(first.kind === "output" ? first.line : NaN);
    expect(alive(sleeper)).toBe(true);
    stream.destroy();
    const deadline = Date.now() + 5_000;
    while ((alive(sleeper) || !exited) && Date.now() < deadline) await sleep(20);
    expect(alive(sleeper)).toBe(false);
    expect(exited).toBe(true);
  });

  it("pauses the process's output while the reader is not reading", async () => {
    const stream = composeRunStream(["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done"], { cwd: "/", env, onExit: () => undefined });
    await sleep(300);
    // Nobody reads: the buffer holds about its high-water mark, not the whole output.
    expect(stream.readableLength).toBeLessThan(1000);
    const frames = await collect(stream);
    expect(frames.filter((frame) => frame.kind === "output")).toHaveLength(3000);
  });
});
