import { SshError } from "@wharf/ssh";
import { describe, expect, it } from "vitest";

import { WharfError } from "../errors";
import { AgentCallError } from "./agent-client";
import { isTransportFailure, toHostError } from "./connection-errors";

function nodeError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe("toHostError", () => {
  it.each([
    ["socket hang up", "ECONNRESET"],
    ["aborted", "ECONNRESET"],
    ["aborted", undefined],
    ["connect ECONNREFUSED /home/x/.wharf/agent.sock", "ECONNREFUSED"],
    ["read ECONNRESET", "ECONNRESET"],
    ["write EPIPE", "EPIPE"],
    ["Premature close", "ERR_STREAM_PREMATURE_CLOSE"],
  ])("maps a broken connection (%s) to HOST_UNREACHABLE naming the host, never INTERNAL", (message, code) => {
    const mapped = toHostError(nodeError(message, code), "build-01");
    expect(mapped.code).toBe("HOST_UNREACHABLE");
    expect(mapped.reason).toBe("CONNECTION_LOST");
    expect(mapped.message).toContain("the agent on build-01");
    expect(mapped.message).toContain(message);
  });

  it("keeps INTERNAL for failures that are not about the connection", () => {
    expect(toHostError(new TypeError("x is not a function"), "h1").code).toBe("INTERNAL");
  });

  it("tells a broken connection from the agent's own answer", () => {
    expect(isTransportFailure(nodeError("socket hang up", "ECONNRESET"))).toBe(true);
    expect(isTransportFailure(new SshError("DISCONNECTED", "gone"))).toBe(true);
    expect(isTransportFailure(new SshError("AUTH_FAILED", "no"))).toBe(false);
    expect(isTransportFailure(new AgentCallError({ code: "INTERNAL", message: "socket hang up" }))).toBe(false);
    expect(isTransportFailure(new WharfError("HOST_UNREACHABLE", "aborted"))).toBe(false);
  });
});
