import os from "node:os";

import { describe, expect, it } from "vitest";

import type { DockerEndpoint } from "../env";
import { AgentFailure } from "../failure";
import { dockerFailure, groupNameFromEtcGroup } from "./errors";

const socket: DockerEndpoint = { kind: "unix", socketPath: "/nonexistent/docker.sock" };

function errno(code: string, syscall = "connect"): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} /nonexistent/docker.sock`), { code, syscall });
}

describe("dockerFailure", () => {
  it("reports a missing or dead daemon as DOCKER_UNAVAILABLE", () => {
    for (const code of ["ENOENT", "ECONNREFUSED"]) {
      expect(dockerFailure(errno(code), socket).toAgentError()).toEqual({
        code: "DOCKER_UNAVAILABLE",
        message: "Docker is not running or not installed on this host: no daemon answers at /nonexistent/docker.sock",
      });
    }
    expect(dockerFailure(errno("ECONNREFUSED"), { kind: "tcp", host: "127.0.0.1", port: 2375 }).message).toMatch(
      /no daemon answers at tcp:\/\/127.0.0.1:2375/,
    );
  });

  it("tells the user how to fix a permission problem", () => {
    const failure = dockerFailure(errno("EACCES"), socket);
    expect(failure.code).toBe("DOCKER_PERMISSION_DENIED");
    expect(failure.message).toBe(
      `user ${os.userInfo().username} cannot access the Docker socket /nonexistent/docker.sock (permission denied): add the user to the socket's group (usually docker) and reconnect`,
    );
  });

  it("keeps Docker's own message for HTTP errors", () => {
    const notFound = Object.assign(new Error("(HTTP code 404) no such container"), {
      statusCode: 404,
      json: { message: "No such container: abc" },
    });
    expect(dockerFailure(notFound, socket).toAgentError()).toEqual({ code: "NOT_FOUND", message: "No such container: abc" });
    // 409: the object's state refuses (a volume in use, a container not running): the caller can act on that.
    const conflict = Object.assign(new Error("(HTTP code 409)"), { statusCode: 409, json: { message: "Container abc is not running" } });
    expect(dockerFailure(conflict, socket).toAgentError()).toEqual({ code: "CONFLICT", message: "Container abc is not running" });
    const failed = Object.assign(new Error("(HTTP code 500)"), { statusCode: 500, json: { message: "driver failed" } });
    expect(dockerFailure(failed, socket).toAgentError()).toEqual({ code: "INTERNAL", message: "Docker answered HTTP 500: driver failed" });
  });

  it("reports a timed-out call as an unresponsive daemon", () => {
    const aborted = Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" });
    expect(dockerFailure(aborted, socket).message).toMatch(/did not answer within 30 s/);
  });

  it("passes agent failures through and wraps anything else as INTERNAL", () => {
    const failure = new AgentFailure("BAD_REQUEST", "nope");
    expect(dockerFailure(failure, socket)).toBe(failure);
    expect(dockerFailure(errno("ENOENT", "open"), socket).code).toBe("INTERNAL");
    expect(dockerFailure("weird", socket).toAgentError()).toEqual({ code: "INTERNAL", message: "weird" });
  });
});

describe("groupNameFromEtcGroup", () => {
  const etcGroup = "root:x:0:\ndocker:x:995:alice,bob\nbroken::\n";

  it("finds a group by gid", () => {
    expect(groupNameFromEtcGroup(etcGroup, 995)).toBe("docker");
    expect(groupNameFromEtcGroup(etcGroup, 0)).toBe("root");
    expect(groupNameFromEtcGroup(etcGroup, 1234)).toBeNull();
  });
});
