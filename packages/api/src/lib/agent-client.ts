import http from "node:http";

import {
  agentCalls,
  type AgentError,
  type AgentMethod,
  type AgentParams,
  agentResponse,
  type AgentResult,
  CALL_PATH,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
} from "@wharf/agent-protocol";

/** A failure reported by the agent itself (as opposed to the SSH transport). */
export class AgentCallError extends Error {
  override readonly name = "AgentCallError";
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
    const { status, text } = await this.post(CALL_PATH, body, options.timeoutMs ?? 30_000);
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
