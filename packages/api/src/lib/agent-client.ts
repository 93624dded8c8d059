import http from "node:http";
import { StringDecoder } from "node:string_decoder";

import {
  agentCalls,
  type AgentError,
  type AgentMethod,
  type AgentParams,
  agentResponse,
  type AgentResult,
  type AgentStreamData,
  type AgentStreamMethod,
  type AgentStreamParams,
  agentStreams,
  CALL_PATH,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  STREAM_PATH,
  streamFrame,
} from "@wharf/agent-protocol";

import { timeAgentCall } from "./metrics";

/** A log batch is at most 1000 lines of 16 KiB: a frame larger than this means a broken agent. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface StreamOptions {
  /** Aborting closes the request: the agent then stops its source (a composeRun's compose goes on: see composeCancel). */
  signal?: AbortSignal;
  /** For the answer's headers only: a stream may then stay open as long as its source does. */
  timeoutMs?: number;
}

/** A failure reported by the agent itself (as opposed to the SSH transport). */
const AGENT_CALL_ERROR = Symbol.for("wharf.AgentCallError");

export class AgentCallError extends Error {
  override readonly name = "AgentCallError";
  readonly [AGENT_CALL_ERROR] = true;

  /** Next.js bundles instrumentation and routes apart, so this class may exist twice in one process: a shared brand tells its errors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && AGENT_CALL_ERROR in value;
  }
  constructor(readonly error: AgentError) {
    super(error.message);
  }
}

/** Typed request/response calls to one agent, over an http.Agent that tunnels through SSH. */
export class AgentClient {
  constructor(private readonly transport: http.Agent) {}

  async call<M extends AgentMethod>(
    method: M,
    params: AgentParams<M>,
    options: { timeoutMs?: number } = {},
  ): Promise<AgentResult<M>> {
    const contract = agentCalls[method];
    const body = JSON.stringify({ method, params: contract.params.parse(params) });
    const { status, text } = await timeAgentCall(method, () => this.post(CALL_PATH, body, options.timeoutMs ?? 30_000));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AgentCallError({ code: "INTERNAL", message: `The agent answered HTTP ${status} with a body that is not JSON.` });
    }
    const response = agentResponse.parse(json);
    if (!response.ok) throw new AgentCallError(response.error);
    return contract.result.parse(response.result) as AgentResult<M>;
  }

  /**
   * Opens a streaming method: resolves once the agent answered 200 (its
   * source is live), then yields each `data` payload, checked against the
   * contract. The response is read only as fast as the caller iterates, so a
   * slow consumer slows the agent instead of filling this process's memory.
   * Leaving the loop early, or aborting `signal`, closes the request.
   */
  async stream<M extends AgentStreamMethod>(method: M, params: AgentStreamParams<M>, options: StreamOptions = {}): Promise<AsyncGenerator<AgentStreamData<M>, void, undefined>> {
    const contract = agentStreams[method];
    const body = JSON.stringify({ method, params: contract.params.parse(params) });
    const { request, response } = await this.open(STREAM_PATH, body, options);
    if (response.statusCode !== 200) {
      const text = await readAll(response);
      request.destroy();
      throw errorFromBody(response.statusCode ?? 0, text);
    }
    return readFrames(response, request, (data) => contract.data.parse(data) as AgentStreamData<M>);
  }

  private open(path: string, body: string, options: StreamOptions): Promise<{ request: http.ClientRequest; response: http.IncomingMessage }> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const request = http.request({
        agent: this.transport,
        host: "wharf-agent",
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const timer = setTimeout(() => {
        request.destroy(new AgentCallError({ code: "INTERNAL", message: `The agent did not answer within ${timeoutMs} ms.` }));
      }, timeoutMs);
      request.once("response", (response) => {
        clearTimeout(timer);
        resolve({ request, response });
      });
      request.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }

  private post(path: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.transport,
          host: "wharf-agent",
          path,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
          },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          response.on("error", reject);
        },
      );
      request.on("timeout", () => {
        request.destroy(new AgentCallError({ code: "INTERNAL", message: `The agent did not answer within ${timeoutMs} ms.` }));
      });
      request.on("error", reject);
      request.end(body);
    });
  }
}

async function readAll(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function errorFromBody(status: number, text: string): AgentCallError {
  try {
    const response = agentResponse.parse(JSON.parse(text));
    if (!response.ok) return new AgentCallError(response.error);
  } catch {
    // Not an error envelope: described below.
  }
  return new AgentCallError({ code: "INTERNAL", message: `The agent answered HTTP ${status} without an error description.` });
}

/**
 * The payloads of an NDJSON frame stream, up to its `end` frame. An `error`
 * frame, or a stream cut before `end` (the connection was lost), throws.
 */
export async function* readFrames<T>(
  source: AsyncIterable<unknown>,
  request: { destroy(): void },
  parse: (data: unknown) => T,
): AsyncGenerator<T, void, undefined> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  try {
    for await (const chunk of source) {
      // The decoder keeps a character split between two chunks whole.
      const parts = (pending + (Buffer.isBuffer(chunk) ? decoder.write(chunk) : String(chunk))).split("\n");
      pending = parts.pop() ?? "";
      if (pending.length > MAX_FRAME_BYTES) throw new AgentCallError({ code: "INTERNAL", message: `The agent sent a frame larger than ${MAX_FRAME_BYTES} bytes.` });
      for (const part of parts) {
        if (part.trim() === "") continue;
        const frame = streamFrame.parse(JSON.parse(part));
        if (frame.type === "end") return;
        if (frame.type === "error") throw new AgentCallError(frame.error);
        yield parse(frame.data);
      }
    }
    throw new AgentCallError({ code: "INTERNAL", message: "The connection to the agent was lost before the stream ended." });
  } finally {
    request.destroy();
  }
}
