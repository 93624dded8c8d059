import { execFile } from "node:child_process";
import { promisify } from "node:util";

import type { HostFacts } from "@wharf/agent-protocol";

const execFileAsync = promisify(execFile);

// Compose v1 is a Python program that takes about half a second to start.
const PROBE_TIMEOUT_MS = 10_000;

export type ComposeInfo = HostFacts["compose"];

/**
 * Which compose command this host has: `docker compose` (v2 plugin) is
 * preferred, `docker-compose` (v1, or a standalone v2 binary) is the fallback.
 * The flavor names the command to run; the version is what it reports.
 */
export async function detectCompose(env: Record<string, string>, signal?: AbortSignal): Promise<ComposeInfo> {
  const plugin = await probeVersion("docker", ["compose", "version", "--short"], env, signal);
  if (plugin !== null) return { flavor: "v2", version: plugin };
  const standalone = await probeVersion("docker-compose", ["version", "--short"], env, signal);
  if (standalone !== null) return { flavor: "v1", version: standalone };
  return { flavor: "none", version: null };
}

async function probeVersion(
  file: string,
  args: string[],
  env: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(file, args, {
      env,
      timeout: PROBE_TIMEOUT_MS,
      maxBuffer: 64 * 1024,
      encoding: "utf8",
      ...(signal ? { signal } : {}),
    });
    return parseComposeVersion(stdout);
  } catch {
    // Not installed, not a compose, or too slow: all mean "this command is not usable".
    return null;
  }
}

/** Reads `version --short` output ("2.26.1", "v2.26.1" or "1.29.2"); null when it is not a version. */
export function parseComposeVersion(stdout: string): string | null {
  const firstLine = stdout.trim().split("\n")[0]?.trim() ?? "";
  const match = /^v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(firstLine);
  return match?.[1] ?? null;
}
