import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { childEnv } from "./env";
import type { SandboxHost } from "./sandbox";

/** The image every sandbox host already has (busybox on scratch). */
export const BASE_IMAGE = "wharf-test/busybox:latest";

/**
 * Builds `FROM base` plus `instructions` on a sandbox host with the legacy
 * builder, which records each step as an intermediate image (parents, as
 * `docker build` without BuildKit leaves them on real hosts); `files` go into
 * the build context. Returns the image id.
 */
export function buildTestImage(
  host: Pick<SandboxHost, "dockerSocket">,
  tag: string,
  instructions: string[],
  options: { base?: string; files?: Record<string, string> } = {},
): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-test-image-"));
  const base = options.base ?? BASE_IMAGE;
  try {
    for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(path.join(dir, name), content);
    writeFileSync(path.join(dir, "Dockerfile"), [`FROM ${base}`, ...instructions].join("\n") + "\n");
    execFileSync("docker", ["build", "-q", "-t", tag, dir], {
      env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}`, DOCKER_BUILDKIT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", tag], { env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }), encoding: "utf8" }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
