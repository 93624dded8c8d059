import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { childEnv, REPO_ROOT, testEnv } from "./env";

const execFileAsync = promisify(execFile);
const script = path.join(REPO_ROOT, "docker/sandbox/self-host.sh");
const state = path.join(testEnv.stateDir, "self-host");

async function selfHost(args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync("bash", [script, ...args], {
      cwd: REPO_ROOT,
      env: childEnv({ WHARF_SELF_HOST_STATE: state }),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      encoding: "utf8",
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`self-host.sh ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Builds docker/Dockerfile and starts docker/compose.yaml (Wharf + Postgres)
 * on an engine of its own; resolves with the URL Wharf is published on.
 */
export async function startSelfHosted(port: number): Promise<string> {
  const out = await selfHost(["up", "--port", String(port)], 25 * 60_000);
  return out.trim().split("\n").pop() ?? "";
}

/** `docker compose ARGS` against the self-hosted project; returns stdout. */
export function selfHostedCompose(args: string[]): Promise<string> {
  return selfHost(["compose", ...args], 120_000);
}

export async function stopSelfHosted(): Promise<void> {
  await selfHost(["down"], 180_000);
}
