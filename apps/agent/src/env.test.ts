import { describe, expect, it } from "vitest";

import { loadEnv, parseDockerHost } from "./env";

describe("parseDockerHost", () => {
  it("accepts unix sockets and plain paths", () => {
    expect(parseDockerHost("unix:///var/run/docker.sock")).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
    expect(parseDockerHost("/run/user/1000/docker.sock")).toEqual({ kind: "unix", socketPath: "/run/user/1000/docker.sock" });
  });

  it("accepts tcp with a default port", () => {
    expect(parseDockerHost("tcp://127.0.0.1:2375")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 2375 });
    expect(parseDockerHost("tcp://docker")).toEqual({ kind: "tcp", host: "docker", port: 2375 });
    expect(parseDockerHost("tcp://[::1]:2375")).toEqual({ kind: "tcp", host: "::1", port: 2375 });
  });

  it("refuses what the agent cannot use, saying what would work", () => {
    expect(() => parseDockerHost("ssh://user@host")).toThrow(/not supported.*unix:\/\/\/path\/to\/docker.sock/);
    expect(() => parseDockerHost("unix://relative.sock")).toThrow(/absolute socket path/);
    expect(() => parseDockerHost("tcp://host:2375/prefix")).toThrow(/tcp:\/\/127.0.0.1:2375/);
  });
});

describe("loadEnv", () => {
  it("defaults DOCKER_HOST, log level and PATH", () => {
    const env = loadEnv({});
    expect(env.dockerHost).toBe("unix:///var/run/docker.sock");
    expect(env.docker).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
    expect(env.logLevel).toBe("info");
    expect(env.childEnv.PATH).toContain("/usr/bin");
    expect(env.childEnv.HOME).toBeTruthy();
  });

  it("passes the caller's environment to children", () => {
    const env = loadEnv({ DOCKER_HOST: "unix:///tmp/d.sock", PATH: "/opt/bin", WHARF_AGENT_LOG_LEVEL: "debug", LANG: "C.UTF-8" });
    expect(env.logLevel).toBe("debug");
    expect(env.childEnv).toMatchObject({ DOCKER_HOST: "unix:///tmp/d.sock", PATH: "/opt/bin", LANG: "C.UTF-8" });
  });

  it("waits 30 s for a busy project unless told less, and never longer", () => {
    expect(loadEnv({}).lockWaitMs).toBe(30_000);
    expect(loadEnv({ WHARF_AGENT_LOCK_WAIT_MS: "0" }).lockWaitMs).toBe(0);
    expect(() => loadEnv({ WHARF_AGENT_LOCK_WAIT_MS: "60000" })).toThrow(/WHARF_AGENT_LOCK_WAIT_MS/);
  });

  it("rejects an unknown log level", () => {
    expect(() => loadEnv({ WHARF_AGENT_LOG_LEVEL: "loud" })).toThrow(/WHARF_AGENT_LOG_LEVEL/);
  });
});
