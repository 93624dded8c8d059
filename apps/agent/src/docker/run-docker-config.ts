import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { RegistryAuth } from "@wharf/agent-protocol";

/** Inside a compose run's own directory (0700): removed when compose exits. */
export const RUN_DOCKER_CONFIG = "docker-config";

/** The docker CLI's key for Docker Hub logins. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

/**
 * Writes a DOCKER_CONFIG holding only these logins for one compose run and
 * returns the environment that points compose at it. The CLI also looks for
 * its plugins (`docker compose`) in DOCKER_CONFIG: the usual plugin folder is
 * linked in so the plugin is still found.
 */
export function writeRunDockerConfig(runDir: string, auths: RegistryAuth[], env: Record<string, string>): Record<string, string> {
  const dir = path.join(runDir, RUN_DOCKER_CONFIG);
  mkdirSync(dir, { mode: 0o700 });
  const entries = Object.fromEntries(
    auths.map((auth) => [auth.serverAddress === "docker.io" ? DOCKER_HUB_KEY : auth.serverAddress, { auth: Buffer.from(`${auth.username}:${auth.password}`).toString("base64") }]),
  );
  writeFileSync(path.join(dir, "config.json"), `${JSON.stringify({ auths: entries })}\n`, { flag: "wx", mode: 0o600 });
  const usual = env.DOCKER_CONFIG ?? (env.HOME ? path.join(env.HOME, ".docker") : null);
  if (usual !== null && existsSync(path.join(usual, "cli-plugins"))) symlinkSync(path.join(usual, "cli-plugins"), path.join(dir, "cli-plugins"));
  return { ...env, DOCKER_CONFIG: dir };
}

export function removeRunDockerConfig(runDir: string): void {
  rmSync(path.join(runDir, RUN_DOCKER_CONFIG), { recursive: true, force: true });
}
