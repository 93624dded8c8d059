import { readFileSync } from "node:fs";
import http from "node:http";

import { loadSandbox, type Sandbox, type SandboxHost, sandboxHost } from "@wharf/testing/sandbox";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { SshError } from "./errors";
import { SshPool, type SshTarget } from "./pool";
import { createTunnelAgent } from "./tunnel";

let sandbox: Sandbox;
let clientKey: string;
let pool: SshPool;
const agents: http.Agent[] = [];

beforeAll(() => {
  sandbox = loadSandbox();
  clientKey = readFileSync(sandbox.clientKey, "utf8");
});

beforeEach(() => {
  pool = new SshPool();
});

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await pool.closeAll();
});

function h1(): SandboxHost {
  return sandboxHost("h1", sandbox);
}

function target(username = h1().users.docker): SshTarget {
  const h = h1();
  return {
    hostId: "h1",
    address: h.address,
    port: h.port,
    username,
    privateKey: clientKey,
    hostKeyFingerprint: h.hostKeyFingerprint,
  };
}

function tunnel(socketPath: string, username?: string): http.Agent {
  const agent = createTunnelAgent(pool, target(username), socketPath);
  agents.push(agent);
  return agent;
}

interface Response {
  status: number;
  body: string;
  /** 'timeout' listeners left on the socket: http adds and removes some per request. */
  timeoutListeners: number;
}

function get(agent: http.Agent, urlPath: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.get({ agent, host: "docker", path: urlPath }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body, timeoutListeners: req.socket?.listenerCount("timeout") ?? 0 }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

describe("createTunnelAgent", () => {
  it("talks HTTP to the remote Docker socket and reuses the forwarded stream", async () => {
    const agent = tunnel(h1().dockerSocket);
    expect(await get(agent, "/_ping")).toMatchObject({ status: 200, body: "OK" });
    const version = await get(agent, "/version");
    expect(JSON.parse(version.body)).toHaveProperty("ApiVersion");
    for (let i = 0; i < 20; i++) {
      const res = await get(agent, "/_ping");
      expect(res.body).toBe("OK");
      // The stream stands in for a net.Socket; listeners must not pile up across reuses.
      expect(res.timeoutListeners).toBeLessThanOrEqual(2);
    }
    // keepAlive: every request went over the one forwarded stream of the one connection.
    expect(pool.stats()).toMatchObject({ connections: 1, connects: 1, activeChannels: 1 });
  });

  it("fails the request with CHANNEL_OPEN_FAILED naming a missing socket", async () => {
    const missing = `${h1().dockerSocket}.missing`;
    const error = await get(tunnel(missing), "/_ping").then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).code).toBe("CHANNEL_OPEN_FAILED");
    expect((error as SshError).message).toContain(missing);
  });

  it("fails with CHANNEL_OPEN_FAILED when the user may not open the socket", async () => {
    const error = await get(tunnel(h1().dockerSocket, h1().users.nodocker), "/_ping").then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as SshError).code).toBe("CHANNEL_OPEN_FAILED");
  });

  it("surfaces a stream that dies mid-request as a request error", async () => {
    const agent = tunnel(h1().dockerSocket);
    expect((await get(agent, "/_ping")).body).toBe("OK");
    // Follow events forever, then drop the whole SSH connection under it.
    const pending = get(agent, "/events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pool.close("h1");
    await expect(pending).rejects.toThrow();
    // The next request opens a new connection.
    expect((await get(agent, "/_ping")).body).toBe("OK");
  });
});
