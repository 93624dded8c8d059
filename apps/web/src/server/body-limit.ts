import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

import { formatBytes } from "../lib/format";

/**
 * Caps a request body before tRPC reads it: refused from Content-Length
 * without reading a byte, otherwise counted while it streams in and refused
 * as soon as it passes the limit. At most `maxBytes` are ever held.
 */
export async function limitRequestBody(req: Request, maxBytes: number, next: (req: Request) => Promise<Response>): Promise<Response> {
  if (req.body === null) return next(req);
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    // Not reading it: the connection closes with the answer instead of draining the rest.
    await req.body.cancel().catch(() => undefined);
    return tooLarge(req, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(req, maxBytes);
    }
    chunks.push(value);
  }
  const body = Buffer.concat(chunks);
  return next(new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal }));
}

/** A 413 in tRPC's error shape (one per call of a batch), so the web client shows its message. */
function tooLarge(req: Request, maxBytes: number): Response {
  const url = new URL(req.url);
  const message = `The request is larger than the ${formatBytes(maxBytes)} (${maxBytes} bytes) Wharf accepts (WHARF_MAX_REQUEST_BYTES): send less at once, e.g. fewer or smaller files.`;
  const error = {
    json: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY.PAYLOAD_TOO_LARGE,
      data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, reason: "BODY_TOO_LARGE", limitBytes: maxBytes },
    },
  };
  const calls = url.pathname.split("/").pop()?.split(",").length ?? 1;
  const body = url.searchParams.get("batch") === "1" ? Array.from({ length: calls }, () => ({ error })) : { error };
  return Response.json(body, { status: 413, headers: { connection: "close" } });
}
