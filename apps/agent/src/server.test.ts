import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { agentResponse, CALL_PATH, helloResult, PROTOCOL_VERSION, STREAM_PATH } from "@wharf/agent-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDockerClient } from "./docker/client";
import { loadEnv } from "./env";
import { createLogger } from "./log";
import { type AgentServer, startAgentServer } from "./server";
import { postJson } from "./test-support/agent-http";

// The server with no Docker behind it: everything but the Docker calls themselves.
const dir = mkdtempSync(path.join(os.tmpdir(), "wharf-agent-server-"));
const socketPath = path.join(dir, "agent.sock");
let agent: AgentServer;

beforeAll(async () => {
  const env = loadEnv({ DOCKER_HOST: `unix://${dir}/missing/docker.sock` });
  agent = await startAgentServer({ socketPath, env, docker: createDockerClient(env.docker), log: createLogger("error", () => undefined) });
});

afterAll(async () => {
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("agent server", () => {
  it("creates its socket owner-only", () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it("answers hello", async () => {
    const answer = await postJson(socketPath, CALL_PATH, { method: "hello", params: {} });
    expect(answer.status).toBe(200);
    const response = agentResponse.parse(answer.body);
    if (!response.ok) throw new Error(response.error.message);
    expect(helloResult.parse(response.result)).toMatchObject({ protocolVersion: PROTOCOL_VERSION, pid: process.pid, socketPath });
  });

  it("refuses another protocol version with 426", async () => {
    for (const [protocol, sent] of [
      [String(PROTOCOL_VERSION + 1), `control plane ${PROTOCOL_VERSION + 1}`],
      [null, "control plane sent no x-wharf-protocol header"],
    ] as const) {
      const answer = await postJson(socketPath, CALL_PATH, { method: "hello", params: {} }, { protocol });
      expect(answer.status).toBe(426);
      expect(agentResponse.parse(answer.body)).toEqual({
        ok: false,
        error: { code: "PROTOCOL_MISMATCH", message: `agent speaks protocol ${PROTOCOL_VERSION}, ${sent}` },
      });
    }
  });

  it("checks the protocol on the stream path too", async () => {
    const answer = await postJson(socketPath, STREAM_PATH, { method: "dockerEvents", params: {} }, { protocol: "0" });
    expect(answer.status).toBe(426);
  });

  it("rejects malformed requests with BAD_REQUEST", async () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      [{ method: "rmRf", params: {} }, /invalid request/],
      [{ method: "listContainers", params: { all: "yes" } }, /all/],
    ];
    for (const [body, message] of cases) {
      const answer = await postJson(socketPath, CALL_PATH, body);
      expect(answer.status).toBe(400);
      const response = agentResponse.parse(answer.body);
      expect(response.ok ? null : response.error.code).toBe("BAD_REQUEST");
      expect(response.ok ? "" : response.error.message).toMatch(message);
    }
  });

  it("answers unknown paths and methods with an envelope", async () => {
    expect((await postJson(socketPath, "/v2/call", {})).status).toBe(404);
    const get = await postJson(socketPath, CALL_PATH, "", { method: "GET" });
    expect(get.status).toBe(405);
    expect(agentResponse.parse(get.body).ok).toBe(false);
  });

  it("reports a missing Docker daemon on calls and before a stream starts", async () => {
    const expected = {
      ok: false,
      error: {
        code: "DOCKER_UNAVAILABLE",
        message: `Docker is not running or not installed on this host: no daemon answers at ${dir}/missing/docker.sock`,
      },
    };
    const call = await postJson(socketPath, CALL_PATH, { method: "listContainers", params: {} });
    expect(call.status).toBe(503);
    expect(agentResponse.parse(call.body)).toEqual(expected);
    const stream = await postJson(socketPath, STREAM_PATH, { method: "dockerEvents", params: {} });
    expect(stream.status).toBe(503);
    expect(agentResponse.parse(stream.body)).toEqual(expected);
  });

  it("removes its socket on close", async () => {
    const otherSocket = path.join(dir, "other.sock");
    const env = loadEnv({});
    const other = await startAgentServer({ socketPath: otherSocket, env, docker: createDockerClient(env.docker), log: createLogger("error", () => undefined) });
    expect(existsSync(otherSocket)).toBe(true);
    await other.close();
    expect(existsSync(otherSocket)).toBe(false);
  });
});
