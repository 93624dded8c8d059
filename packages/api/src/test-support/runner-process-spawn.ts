import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

import { childEnv, REPO_ROOT } from "@wharf/testing/env";

/**
 * A second control plane (its own process and database session) running only
 * a job runner. It shares `dataDir` with the test process: with another master
 * key it could not open the host's SSH key and would fail every job at once.
 */
export function spawnRunnerProcess(dataDir: string): ChildProcess {
  const script = path.join(REPO_ROOT, "packages/api/src/test-support/runner-process.ts");
  return spawn(process.execPath, ["--import", "tsx", script], {
    cwd: REPO_ROOT,
    env: childEnv({ WHARF_TEST_DATA_DIR: dataDir }),
    stdio: ["ignore", "pipe", "inherit"],
  });
}

export function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes(text)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`runner process exited (${code}) before it was ready`)));
  });
}
