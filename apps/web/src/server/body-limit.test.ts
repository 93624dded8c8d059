import { describe, expect, it } from "vitest";

import { limitRequestBody } from "./body-limit";

const LIMIT = 1024 * 1024;
const CHUNK = 64 * 1024;
const FIFTY_MB = 50 * 1024 * 1024;

/** A body of `total` bytes made as it is read, counting what was pulled. */
function streamedBody(total: number) {
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = Math.min(CHUNK, total - pulled.bytes);
      if (size <= 0) return controller.close();
      pulled.bytes += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { stream, pulled };
}

function post(body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}, url = "http://wharf.test/api/trpc/stack.update") {
  return new Request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, duplex: "half" } as RequestInit);
}

async function reached(req: Request): Promise<Response> {
  return Response.json({ received: (await req.text()).length });
}

describe("limitRequestBody", () => {
  it("refuses a 50 MB body from its Content-Length with 413 naming the limit, without reading any of it", async () => {
    const { stream, pulled } = streamedBody(FIFTY_MB);
    const response = await limitRequestBody(post(stream, { "content-length": String(FIFTY_MB) }), LIMIT, reached);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { json: { message: string; data: { code: string; limitBytes: number } } } };
    expect(body.error.json.message).toMatch(/larger than the 1\.0 MB \(1048576 bytes\) Wharf accepts \(WHARF_MAX_REQUEST_BYTES\)/);
    expect(body.error.json.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", limitBytes: LIMIT });
    // A ReadableStream pulls once ahead to fill its queue; nothing else was read.
    expect(pulled.bytes).toBeLessThanOrEqual(CHUNK);
  });

  it("stops reading a body without Content-Length as soon as it passes the limit", async () => {
    const { stream, pulled } = streamedBody(FIFTY_MB);
    const response = await limitRequestBody(post(stream), LIMIT, reached);
    expect(response.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
  });

  it("answers each call of a batch, so the client shows the message", async () => {
    const { stream } = streamedBody(FIFTY_MB);
    const response = await limitRequestBody(post(stream, {}, "http://wharf.test/api/trpc/a.b,c.d?batch=1"), LIMIT, reached);
    const body = (await response.json()) as unknown[];
    expect(body).toHaveLength(2);
  });

  it("passes a body within the limit on whole", async () => {
    const { stream } = streamedBody(LIMIT);
    const response = await limitRequestBody(post(stream), LIMIT, reached);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: LIMIT });
  });
});
