import { describe, expect, it } from "vitest";

import { actionArgs, atLeast, composeArgv, composeEnv, parseComposeVersion } from "./compose";

describe("parseComposeVersion", () => {
  it("reads v2 and v1 short versions", () => {
    expect(parseComposeVersion("2.26.1\n")).toBe("2.26.1");
    expect(parseComposeVersion("v2.29.7\n")).toBe("2.29.7");
    expect(parseComposeVersion("2.26.1-4\n")).toBe("2.26.1-4");
    expect(parseComposeVersion("1.29.2\n")).toBe("1.29.2");
  });

  it("rejects output that is not a version", () => {
    expect(parseComposeVersion("")).toBeNull();
    expect(parseComposeVersion("docker: 'compose' is not a docker command.\n")).toBeNull();
    expect(parseComposeVersion("Docker Compose version v2.26.1\n")).toBeNull();
  });
});

const target = {
  name: "shop",
  dir: "/home/u/.wharf/stacks/shop",
  files: ["/home/u/.wharf/stacks/shop/docker-compose.sample-service.yaml", "/home/u/.wharf/stacks/shop/service/docker-compose.service.yaml"],
};

describe("composeArgv", () => {
  it("puts project name, directory and every file in -f order before the subcommand (v2)", () => {
    expect(composeArgv({ version: "2.26.1-4", argv: ["docker", "compose"] }, target, actionArgs("up", {}))).toEqual([
      "docker",
      "compose",
      "--ansi",
      "never",
      "--progress",
      "plain",
      "--project-name",
      "shop",
      "--project-directory",
      "/home/u/.wharf/stacks/shop",
      "-f",
      "/home/u/.wharf/stacks/shop/docker-compose.sample-service.yaml",
      "-f",
      "/home/u/.wharf/stacks/shop/service/docker-compose.service.yaml",
      "up",
      "--detach",
      "--quiet-pull",
      "--remove-orphans",
    ]);
  });

  it("leaves out flags the host's compose does not know (v1, v2 before 2.19)", () => {
    expect(composeArgv({ version: "1.25.0", argv: ["docker-compose"] }, target, ["config"]).slice(0, 3)).toEqual(["docker-compose", "--no-ansi", "--project-name"]);
    expect(composeArgv({ version: "2.17.2", argv: ["docker", "compose"] }, target, ["config"]).slice(0, 5)).toEqual(["docker", "compose", "--ansi", "never", "--project-name"]);
    expect(composeArgv({ version: "1.29.2", argv: ["docker-compose"] }, target, ["config"]).slice(0, 5)).toEqual([
      "docker-compose",
      "--ansi",
      "never",
      "--project-name",
      "shop",
    ]);
  });

  it("keeps hostile values as single literal arguments", () => {
    const hostile = { name: "x", dir: "/s/x", files: ["/s/x/$(touch pwned).yaml", "/s/x/a;b `id`.yaml"] };
    const argv = composeArgv({ version: "2.26.1", argv: ["docker", "compose"] }, hostile, ["stop", "$(id)"]);
    expect(argv).toContain("/s/x/$(touch pwned).yaml");
    expect(argv).toContain("/s/x/a;b `id`.yaml");
    expect(argv.at(-1)).toBe("$(id)");
  });
});

describe("atLeast", () => {
  it("compares major and minor", () => {
    expect(atLeast("2.19.0", [2, 19])).toBe(true);
    expect(atLeast("2.26.1-4", [2, 19])).toBe(true);
    expect(atLeast("5.0.1", [2, 19])).toBe(true);
    expect(atLeast("2.18.9", [2, 19])).toBe(false);
    expect(atLeast("1.29.2", [2, 19])).toBe(false);
  });
});

describe("actionArgs", () => {
  it("maps Wharf actions to compose subcommands", () => {
    expect(actionArgs("up", { removeOrphans: false, services: ["web"] })).toEqual(["up", "--detach", "--quiet-pull", "web"]);
    expect(actionArgs("up", { forceRecreate: true })).toEqual(["up", "--detach", "--quiet-pull", "--remove-orphans", "--force-recreate"]);
    expect(actionArgs("down", {})).toEqual(["down"]);
    expect(actionArgs("down", { volumes: true, removeOrphans: true })).toEqual(["down", "--remove-orphans", "--volumes"]);
    expect(actionArgs("restart", { services: ["web", "worker"] })).toEqual(["restart", "web", "worker"]);
    for (const action of ["stop", "pull", "build"] as const) expect(actionArgs(action, {})).toEqual([action]);
    expect(actionArgs("build", { noCache: true, pull: true, services: ["app"] })).toEqual(["build", "--no-cache", "--pull", "app"]);
  });
});

describe("composeEnv", () => {
  it("drops COMPOSE_* variables that would override the explicit flags", () => {
    expect(composeEnv({ PATH: "/bin", DOCKER_HOST: "unix:///d.sock", COMPOSE_FILE: "/evil.yaml", COMPOSE_PROJECT_NAME: "other" })).toEqual({
      PATH: "/bin",
      DOCKER_HOST: "unix:///d.sock",
      DOCKER_CLI_HINTS: "false",
    });
  });
});
