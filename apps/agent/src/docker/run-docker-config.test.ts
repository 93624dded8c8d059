import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { removeRunDockerConfig, RUN_DOCKER_CONFIG, writeRunDockerConfig } from "./run-docker-config";

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-run-config-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a compose run's private DOCKER_CONFIG", () => {
  it("holds only the run's logins (Docker Hub under the CLI's key), private to the agent, keeps the plugins reachable, and goes away whole", () => {
    const run = scratch();
    const home = scratch();
    mkdirSync(path.join(home, ".docker", "cli-plugins"), { recursive: true });
    const env = writeRunDockerConfig(
      run,
      [
        { serverAddress: "docker.io", username: "me", password: "hub token" },
        { serverAddress: "10.0.0.1:5000", username: "u", password: "p:w" },
      ],
      { HOME: home, PATH: "/bin" },
    );
    const dir = path.join(run, RUN_DOCKER_CONFIG);
    expect(env).toEqual({ HOME: home, PATH: "/bin", DOCKER_CONFIG: dir });
    const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual(["https://index.docker.io/v1/", "10.0.0.1:5000"]);
    expect(Buffer.from(config.auths["10.0.0.1:5000"]?.auth ?? "", "base64").toString()).toBe("u:p:w");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, "config.json")).mode & 0o777).toBe(0o600);
    expect(readlinkSync(path.join(dir, "cli-plugins"))).toBe(path.join(home, ".docker", "cli-plugins"));
    removeRunDockerConfig(run);
    expect(() => statSync(dir)).toThrow();
  });
});
