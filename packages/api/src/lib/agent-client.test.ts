import { Readable } from "node:stream";

import { describe, expect, it } from "vitest";

import { AgentCallError, readFrames } from "./agent-client";

function source(chunks: (string | Buffer)[]): Readable {
  return Readable.from(chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk) : chunk)));
}

async function collect(chunks: (string | Buffer)[]) {
  let destroyed = false;
  const out: unknown[] = [];
  const frames = readFrames(source(chunks), { destroy: () => (destroyed = true) }, (data) => data);
  try {
    for await (const data of frames) out.push(data);
    return { out, destroyed, error: null };
  } catch (error) {
    return { out, destroyed, error };
  }
}

describe("readFrames", () => {
  it("yields data frames split anywhere across chunks, a character split in two included, until end", async () => {
    const text = `${JSON.stringify({ type: "data", data: { line: "héllo" } })}\n${JSON.stringify({ type: "data", data: 2 })}\n{"type":"end"}\n`;
    const bytes = Buffer.from(text);
    const split = bytes.indexOf(Buffer.from("é")) + 1;
    const result = await collect([bytes.subarray(0, split), bytes.subarray(split, split + 7), bytes.subarray(split + 7)]);
    expect(result).toEqual({ out: [{ line: "héllo" }, 2], destroyed: true, error: null });
  });

  it("throws the agent's error frame", async () => {
    const result = await collect([`{"type":"data","data":1}\n{"type":"error","error":{"code":"COMPOSE_FAILED","message":"boom"}}\n`]);
    expect(result.out).toEqual([1]);
    expect(result.error).toBeInstanceOf(AgentCallError);
    expect((result.error as AgentCallError).error).toEqual({ code: "COMPOSE_FAILED", message: "boom" });
  });

  it("treats a stream cut before its end frame as a lost connection", async () => {
    const result = await collect([`{"type":"data","data":1}\n`]);
    expect((result.error as Error).message).toMatch(/lost before the stream ended/);
    expect(result.destroyed).toBe(true);
  });

  it("closes the request when the consumer stops early", async () => {
    let destroyed = false;
    const frames = readFrames(source([`{"type":"data","data":1}\n{"type":"data","data":2}\n{"type":"end"}\n`]), { destroy: () => (destroyed = true) }, (d) => d);
    for await (const data of frames) {
      expect(data).toBe(1);
      break;
    }
    expect(destroyed).toBe(true);
  });
});
