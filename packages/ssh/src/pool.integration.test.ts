import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { loadSandbox, rotateHostKey, type Sandbox, type SandboxHost, sandboxHost } from "@wharf/testing/sandbox";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { SshError, type SshErrorCode } from "./errors";
import { scanHostKey } from "./host-key";
import { generateKeyPair } from "./keys";
import { type SshLogEvent, SshPool, type SshPoolOptions, type SshTarget } from "./pool";

let sandbox: Sandbox;
let clientKey: string;
const pools: SshPool[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), "wharf-ssh-it-"));
// The sandbox users must be able to write here, or an injected `touch` would fail for the wrong reason.
chmodSync(scratch, 0o777);

beforeAll(() => {
  sandbox = loadSandbox();
  clientKey = readFileSync(sandbox.clientKey, "utf8");
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.closeAll()));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function host(name: string): SandboxHost {
  return sandboxHost(name, sandbox);
}

function targetFor(name: string, overrides: Partial<SshTarget> = {}): SshTarget {
  const h = host(name);
  return {
    hostId: name,
    address: h.address,
    port: h.port,
    username: h.users.docker,
    privateKey: clientKey,
    hostKeyFingerprint: h.hostKeyFingerprint,
    ...overrides,
  };
}

function createPool(options: SshPoolOptions = {}): { pool: SshPool; events: SshLogEvent[] } {
  const events: SshLogEvent[] = [];
  const pool = new SshPool({ ...options, log: (event) => events.push(event) });
  pools.push(pool);
  return { pool, events };
}

async function expectSshError(promise: Promise<unknown>, code: SshErrorCode, message?: RegExp): Promise<SshError> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SshError);
  const sshError = error as SshError;
  expect(sshError.code, sshError.message).toBe(code);
  if (message) expect(sshError.message).toMatch(message);
  return sshError;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The pid of the sshd process serving the pool's connection to the target:
 * the first sshd ancestor of a remote shell. The sandbox hosts share this
 * machine's pid namespace, so the test can signal it.
 */
async function sessionPid(pool: SshPool, target: SshTarget): Promise<number> {
  const script =
    'p=$$; while [ "$p" -gt 1 ]; do case "$(cat /proc/$p/comm)" in sshd*) echo "$p"; exit 0;; esac; ' +
    "set -- $(cat /proc/$p/stat); p=$4; done; exit 1";
  const result = await pool.exec(target, ["sh", "-c", script]);
  expect(result.code).toBe(0);
  return Number(result.stdout.trim());
}

describe("scanHostKey", () => {
  it("returns the fingerprint ssh-keygen -lf prints for the host key", async () => {
    const h1 = host("h1");
    const key = await scanHostKey({ address: h1.address, port: h1.port, timeoutMs: 5_000 });
    expect(key.algorithm).toBe("ssh-ed25519");
    // hosts.json holds `ssh-keygen -lf` of the host's public key file; OpenSSH's own scan must agree too.
    expect(key.fingerprint).toBe(h1.hostKeyFingerprint);
    const scanned = execFileSync("ssh-keyscan", ["-t", "ed25519", "-p", String(h1.port), h1.address], { encoding: "utf8" });
    const listed = execFileSync("ssh-keygen", ["-lf", "-"], { input: scanned, encoding: "utf8" });
    expect(listed.split(" ")[1]).toBe(key.fingerprint);
    expect(Buffer.from(key.key, "base64").subarray(4, 15).toString()).toBe("ssh-ed25519");
  });

  it("reports a closed port as CONNECTION_REFUSED", async () => {
    const port = await closedPort();
    await expectSshError(
      scanHostKey({ address: "127.0.0.1", port, timeoutMs: 2_000 }),
      "CONNECTION_REFUSED",
      new RegExp(`^Connection refused by 127\\.0\\.0\\.1:${port}: is sshd running and is the port right\\?$`),
    );
  });

  it("reports a port that accepts but never speaks SSH as TIMEOUT", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      await expectSshError(scanHostKey({ address: "127.0.0.1", port, timeoutMs: 500 }), "TIMEOUT", /timed out/);
    } finally {
      silent.close();
    }
  });
});

describe("exec", () => {
  it("delivers injection payloads as literal arguments", async () => {
    const { pool } = createPool();
    const canary = path.join(scratch, "pwned");
    const payloads = [
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `; touch ${canary}`,
      `x\ntouch ${canary}`,
      "; rm -rf /",
      `'; touch ${canary}; echo '`,
      `"; touch ${canary}; echo "`,
      "*",
      "~",
      "$HOME",
      "a  b",
      "",
    ];
    const result = await pool.exec(targetFor("h1"), ["printf", "%s\\0", ...payloads]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\0").slice(0, -1)).toEqual(payloads);
    expect(existsSync(canary)).toBe(false);
  });

  it("passes stdin and returns exit codes, stderr, capped output and timeouts", async () => {
    const { pool } = createPool({ maxOutputBytes: 1_000 });
    const target = targetFor("h1");
    expect((await pool.exec(target, ["cat"], { stdin: "via stdin" })).stdout).toBe("via stdin");
    const failed = await pool.exec(target, ["sh", "-c", "echo oops >&2; exit 3"]);
    expect(failed).toMatchObject({ code: 3, signal: null, stderr: "oops\n", truncated: false });
    const big = await pool.exec(target, ["head", "-c", "100000", "/dev/zero"]);
    expect(big.stdout.length).toBe(1_000);
    expect(big.truncated).toBe(true);
    await expectSshError(pool.exec(target, ["sleep", "30"], { timeoutMs: 300 }), "COMMAND_FAILED", /"sleep" .* did not finish/);
  });

  it("shares one connection between 20 concurrent execs", async () => {
    const { pool } = createPool();
    const target = targetFor("h1");
    // $SSH_CONNECTION names the client port, so equal values mean one TCP connection.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => pool.exec(target, ["sh", "-c", 'echo "$SSH_CONNECTION"'])),
    );
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(pool.stats()).toMatchObject({ connections: 1, connects: 1, reconnects: 0, failures: 0, activeChannels: 0 });
  });
});

describe("connection failures", () => {
  it("refuses a host whose key differs from the pin, before authenticating", async () => {
    const { pool, events } = createPool();
    const pinned = generateKeyPair("not the host").fingerprint;
    const error = await expectSshError(
      pool.exec(targetFor("h1", { hostKeyFingerprint: pinned }), ["true"]),
      "HOST_KEY_MISMATCH",
      /man-in-the-middle/,
    );
    expect(error.message).toContain(`expected ${pinned}`);
    expect(error.message).toContain(`received ${host("h1").hostKeyFingerprint}`);
    expect(events.some((e) => e.type === "connected")).toBe(false);
  });

  it("reports a key the server does not accept as AUTH_FAILED", async () => {
    const { pool } = createPool();
    const stranger = generateKeyPair("stranger");
    await expectSshError(
      pool.exec(targetFor("h1", { privateKey: stranger.privateKey }), ["true"]),
      "AUTH_FAILED",
      new RegExp(`rejected the SSH key for ${host("h1").users.docker}`),
    );
  });

  it("reports an unreadable key as INVALID_KEY", async () => {
    const { pool } = createPool();
    await expectSshError(pool.exec(targetFor("h1", { privateKey: "not a key" }), ["true"]), "INVALID_KEY");
  });

  it("reports a closed port as CONNECTION_REFUSED, then fails fast until close() resets the backoff", async () => {
    const { pool } = createPool({ backoff: { initialMs: 10_000 } });
    const target = targetFor("h1", { address: "127.0.0.1", port: await closedPort() });
    const first = await expectSshError(pool.exec(target, ["true"]), "CONNECTION_REFUSED", /is sshd running/);
    const second = await expectSshError(pool.exec(target, ["true"]), "CONNECTION_REFUSED");
    expect(second).toBe(first);
    expect(pool.stats().failures).toBe(1);
    await pool.close(target.hostId);
    await expectSshError(pool.exec(target, ["true"]), "CONNECTION_REFUSED");
    expect(pool.stats().failures).toBe(2);
  });
});

describe("connection lifecycle", () => {
  it("sends keepalives and drops a connection whose server stops answering", async () => {
    const { pool, events } = createPool({ keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
    const target = targetFor("h1");
    const pid = await sessionPid(pool, target);
    process.kill(pid, "SIGSTOP");
    try {
      await waitFor(() => events.some((e) => e.type === "dropped"));
    } finally {
      process.kill(pid, "SIGKILL");
    }
    const dropped = events.find((e) => e.type === "dropped");
    expect(dropped?.error?.message).toMatch(/stopped answering SSH keepalives/);
    expect(pool.stats().connections).toBe(0);
    expect((await pool.exec(target, ["true"])).code).toBe(0);
    expect(pool.stats()).toMatchObject({ connections: 1, connects: 2, reconnects: 1 });
  });

  it("reconnects after the server kills the session", async () => {
    const { pool, events } = createPool();
    const target = targetFor("h1");
    process.kill(await sessionPid(pool, target), "SIGKILL");
    await waitFor(() => events.some((e) => e.type === "dropped"));
    expect((await pool.exec(target, ["echo", "back"])).stdout).toBe("back\n");
    expect(pool.stats()).toMatchObject({ connects: 2, reconnects: 1, failures: 0 });
  });

  it("retries with backoff while the host is briefly down", async () => {
    // A loopback relay to h1 stands in for the host, so the test can take it down without touching sshd.
    const h1 = host("h1");
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(h1.port, h1.address);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const { port } = relay.address() as net.AddressInfo;
    const { pool, events } = createPool({ backoff: { initialMs: 100, maxMs: 1_000, maxAttempts: 6 } });
    const target = targetFor("h1", { address: "127.0.0.1", port });
    try {
      expect((await pool.exec(target, ["true"])).code).toBe(0);
      await new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await waitFor(() => events.some((e) => e.type === "dropped"));
      setTimeout(() => relay.listen(port, "127.0.0.1"), 400);
      expect((await pool.exec(target, ["true"])).code).toBe(0);
      expect(pool.stats().failures).toBeGreaterThanOrEqual(1);
      expect(pool.stats()).toMatchObject({ connections: 1, reconnects: 1 });
      expect(events.some((e) => e.type === "connect-failed" && /retrying in \d+ ms/.test(e.message))).toBe(true);
    } finally {
      await pool.closeAll();
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });

  it("closes an idle connection, but not while a stream is open", async () => {
    const { pool, events } = createPool({ idleCloseMs: 300 });
    const target = targetFor("h1");
    await pool.exec(target, ["true"]);
    await waitFor(() => pool.stats().connections === 0);
    expect(events.some((e) => e.type === "idle-close")).toBe(true);

    const stream = await pool.openStreamLocal(target, host("h1").dockerSocket);
    await sleep(700);
    expect(pool.stats()).toMatchObject({ connections: 1, activeChannels: 1 });
    stream.destroy();
    await waitFor(() => pool.stats().connections === 0);
    expect(pool.stats().connects).toBe(2);
  });

  it("drops the old connection when the target's credentials change", async () => {
    const { pool } = createPool();
    const target = targetFor("h1");
    await pool.exec(target, ["true"]);
    await pool.exec({ ...target, username: host("h1").users.nodocker }, ["true"]);
    expect(pool.stats()).toMatchObject({ connections: 1, connects: 2, reconnects: 0 });
  });

  it("refuses the host after its key is rotated (HOST_KEY_MISMATCH)", async () => {
    const { pool } = createPool();
    const before = targetFor("h2");
    expect((await pool.exec(before, ["true"])).code).toBe(0);
    const rotated = rotateHostKey("h2");
    sandbox = loadSandbox();
    expect(rotated).not.toBe(before.hostKeyFingerprint);

    // The open connection predates the rotation; a new one must be refused.
    await pool.close("h2");
    const error = await expectSshError(pool.exec(before, ["true"]), "HOST_KEY_MISMATCH", /has changed/);
    expect(error.message).toContain(`expected ${before.hostKeyFingerprint}, received ${rotated}`);
    expect((await pool.exec(targetFor("h2"), ["true"])).code).toBe(0);
  });
});

describe("uploadFile", () => {
  it("writes the file through a temporary name, with the mode, replacing an existing one", async () => {
    const { pool } = createPool();
    const target = targetFor("h1");
    const local = path.join(scratch, "payload.txt");
    const remoteDir = path.join(scratch, "remote");
    await pool.exec(target, ["mkdir", "-p", remoteDir]);
    const remote = path.join(remoteDir, "agent.bin");
    for (const content of ["first version", "second version"]) {
      writeFileSync(local, content);
      await pool.uploadFile(target, local, remote, { mode: 0o640 });
      expect((await pool.exec(target, ["cat", remote])).stdout).toBe(content);
    }
    expect((await pool.exec(target, ["stat", "-c", "%a", remote])).stdout.trim()).toBe("640");
    expect((await pool.exec(target, ["ls", "-A", remoteDir])).stdout).toBe("agent.bin\n");
    await expectSshError(
      pool.uploadFile(target, local, "/proc/nope/agent.bin"),
      "COMMAND_FAILED",
      /Uploading .* failed/,
    );
  });
});
