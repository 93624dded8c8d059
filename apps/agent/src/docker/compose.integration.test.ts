import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { childEnv } from "@wharf/testing/env";
import { describe, expect, it } from "vitest";

import { parseComposeVersion, resolveComposeCommand } from "./compose";

// Against this machine's Docker CLI and compose v2 plugin, as the agent finds them.

const execFileAsync = promisify(execFile);

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(childEnv(overrides)).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

describe("the compose command", () => {
  it("is the compose plugin's own executable, which reports the version `docker compose` does", async () => {
    const command = await resolveComposeCommand(env());
    expect(command.flavor).toBe("v2");
    const [program, ...rest] = command.argv;
    expect(rest).toEqual([]);
    expect(path.basename(program)).toBe("docker-compose");
    expect(path.isAbsolute(program)).toBe(true);
    const { stdout } = await execFileAsync(program, ["version", "--short"]);
    expect(parseComposeVersion(stdout)).toBe(command.version);
  });

  it("is looked up where the Docker CLI looks first: the user's config directory", async () => {
    const system = (await resolveComposeCommand(env())).argv[0];
    const config = mkdtempSync(path.join(os.tmpdir(), "wharf-docker-config-"));
    mkdirSync(path.join(config, "cli-plugins"));
    const userPlugin = path.join(config, "cli-plugins", "docker-compose");
    symlinkSync(system, userPlugin);
    const command = await resolveComposeCommand(env({ DOCKER_CONFIG: config }));
    expect(command.argv).toEqual([userPlugin]);
  });
});
