import { describe, expect, it } from "vitest";

import { channelOpenFailedError, hostKeyMismatchError, SshError, type SshErrorCode, toSshError } from "./errors";

const target = { address: "10.0.0.5", port: 2222, username: "deploy" };

function raw(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe("toSshError", () => {
  it.each<[string, Error, SshErrorCode, RegExp]>([
    [
      "refused",
      raw("connect ECONNREFUSED 10.0.0.5:2222", { code: "ECONNREFUSED", level: "client-socket" }),
      "CONNECTION_REFUSED",
      /^Connection refused by 10\.0\.0\.5:2222: is sshd running and is the port right\?$/,
    ],
    ["host unreachable", raw("x", { code: "EHOSTUNREACH", level: "client-socket" }), "UNREACHABLE", /unreachable/],
    ["network unreachable", raw("x", { code: "ENETUNREACH", level: "client-socket" }), "UNREACHABLE", /routing/],
    ["tcp timeout", raw("x", { code: "ETIMEDOUT", level: "client-socket" }), "TIMEOUT", /timed out/],
    [
      "handshake timeout",
      raw("Timed out while waiting for handshake", { level: "client-timeout" }),
      "TIMEOUT",
      /timed out before the SSH handshake completed/,
    ],
    ["dns", raw("getaddrinfo ENOTFOUND nope", { code: "ENOTFOUND" }), "DNS", /resolve/],
    ["dns (forced family)", raw("lookup failed", { level: "client-dns" }), "DNS", /resolve/],
    [
      "auth",
      raw("All configured authentication methods failed", { level: "client-authentication" }),
      "AUTH_FAILED",
      /rejected the SSH key for deploy: add the public key to ~\/\.ssh\/authorized_keys/,
    ],
    [
      "host key rejected",
      raw("Host denied (verification failed)", { level: "handshake" }),
      "HOST_KEY_MISMATCH",
      /man-in-the-middle/,
    ],
    ["bad key", new Error("Cannot parse privateKey: Unsupported key format"), "INVALID_KEY", /private key/],
    [
      "keepalive",
      raw("Keepalive timeout", { level: "client-timeout" }),
      "DISCONNECTED",
      /stopped answering SSH keepalives/,
    ],
    ["reset", raw("read ECONNRESET", { code: "ECONNRESET" }), "DISCONNECTED", /reset/],
    ["not ssh", raw("Connection lost before handshake", { level: "protocol" }), "DISCONNECTED", /serves SSH/],
    ["channel", new Error("(SSH) Channel open failure: open failed"), "CHANNEL_OPEN_FAILED", /channel/],
    ["anything else", new Error("boom"), "DISCONNECTED", /boom/],
  ])("classifies %s", (_name, err, code, message) => {
    const mapped = toSshError(err, target);
    expect(mapped).toBeInstanceOf(SshError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.cause).toBe(err);
  });

  it("passes SshErrors through and brackets IPv6 addresses", () => {
    const original = new SshError("AUTH_FAILED", "nope");
    expect(toSshError(original, target)).toBe(original);
    const v6 = toSshError(raw("x", { code: "ECONNREFUSED" }), { address: "::1", port: 22 });
    expect(v6.message).toContain("[::1]:22");
  });
});

describe("specific errors", () => {
  it("a host key mismatch names both fingerprints and the risk", () => {
    const err = hostKeyMismatchError(target, "SHA256:expected", "SHA256:received");
    expect(err.code).toBe("HOST_KEY_MISMATCH");
    expect(err.message).toMatch(/changed/);
    expect(err.message).toMatch(/man-in-the-middle/);
    expect(err.message).toContain("expected SHA256:expected");
    expect(err.message).toContain("received SHA256:received");
  });

  it("a refused stream-local channel names the socket path", () => {
    const err = channelOpenFailedError(target, "/var/run/docker.sock", new Error("(SSH) Channel open failure: open failed"));
    expect(err.code).toBe("CHANNEL_OPEN_FAILED");
    expect(err.message).toContain("/var/run/docker.sock");
    expect(err.message).toContain("server said: open failed");
  });
});
