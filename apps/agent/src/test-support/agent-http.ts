// HTTP over the agent's unix socket, as the control plane speaks it; for tests only.
import { type IncomingMessage, request } from "node:http";
import { createInterface } from "node:readline";

import { PROTOCOL_HEADER, PROTOCOL_VERSION, type StreamFrame, streamFrame } from "@wharf/agent-protocol";

export interface PostOptions {
  /** Protocol header value; null sends none. */
  protocol?: string | null;
  method?: string;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

function open(socketPath: string, path: string, body: string, options: PostOptions): Promise<IncomingMessage> {
  const protocol = options.protocol === undefined ? String(PROTOCOL_VERSION) : options.protocol;
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath,
      path,
      method: options.method ?? "POST",
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...(protocol === null ? {} : { [PROTOCOL_HEADER]: protocol }),
      },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end(body);
  });
}

export async function postJson(socketPath: string, path: string, payload: unknown, options: PostOptions = {}): Promise<JsonAnswer> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const res = await open(socketPath, path, body, options);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
}

export interface FrameStream {
  status: number;
  /** The next frame, parsed with the protocol's contract. */
  next(): Promise<StreamFrame>;
  close(): void;
}

/** Opens an NDJSON stream; resolves once the response headers arrived (the agent has subscribed). */
export async function openStream(socketPath: string, path: string, payload: unknown): Promise<FrameStream> {
  const res = await open(socketPath, path, JSON.stringify(payload), {});
  const lines = createInterface({ input: res })[Symbol.asyncIterator]();
  return {
    status: res.statusCode ?? 0,
    next: async () => {
      const line = await lines.next();
      if (line.done) throw new Error("stream ended without a frame");
      return streamFrame.parse(JSON.parse(line.value));
    },
    close: () => res.destroy(),
  };
}
