import { PassThrough, Readable, Writable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { AgentFailure } from "./failure";
import { pumpStream } from "./stream-pump";

/** A client that reads only when told to. */
class SlowClient extends Writable {
  received = "";
  private pending: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 64 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.received += chunk.toString("utf8");
    this.pending.push(callback);
  }

  readAll(): void {
    while (this.pending.length > 0) this.pending.shift()?.();
  }

  frames(): unknown[] {
    return this.received.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown);
  }
}

function start(client: SlowClient) {
  const source = new PassThrough();
  const stopped: string[] = [];
  const pump = pumpStream({
    source: { kind: "lines", stream: source, parseLine: (line) => (line === "skip" ? null : { line }) },
    out: client,
    validate: (data) => data,
    describeError: (error) => (error instanceof AgentFailure ? error.toAgentError() : { code: "INTERNAL", message: String(error) }),
    onDone: (reason) => stopped.push(reason),
  });
  return { source, pump, stopped };
}

describe("pumpStream", () => {
  it("pauses the source while the client is full and resumes on drain", async () => {
    const client = new SlowClient();
    const { source } = start(client);
    source.write(Array.from({ length: 10 }, (_, i) => `event number ${i} with some padding`).join("\n") + "\n");
    await tick();
    expect(source.isPaused()).toBe(true);

    const before = client.received.length;
    source.write("arrived while paused\n");
    await tick();
    expect(client.received.length).toBe(before);

    client.readAll();
    await tick();
    client.readAll();
    expect(source.isPaused()).toBe(false);
    expect(client.frames()).toHaveLength(11);
  });

  it("joins lines split across chunks and skips lines the handler rejects", async () => {
    const client = new SlowClient();
    const { source, stopped } = start(client);
    source.write("fir");
    source.write("st\nskip\nsec");
    source.end("ond");
    for (let i = 0; i < 5; i++) {
      client.readAll();
      await tick();
    }
    expect(client.frames()).toEqual([
      { type: "data", data: { line: "first" } },
      { type: "data", data: { line: "second" } },
      { type: "end" },
    ]);
    expect(stopped).toEqual(["end"]);
    expect(client.writableEnded).toBe(true);
  });

  it("ends with an error frame when the source fails", async () => {
    const client = new SlowClient();
    const { source, stopped } = start(client);
    source.destroy(new AgentFailure("DOCKER_UNAVAILABLE", "daemon went away"));
    await tick();
    client.readAll();
    expect(client.frames()).toEqual([{ type: "error", error: { code: "DOCKER_UNAVAILABLE", message: "daemon went away" } }]);
    expect(stopped).toEqual(["error"]);
  });

  it("destroys the source when the client disconnects", async () => {
    const client = new SlowClient();
    const { source, stopped } = start(client);
    client.destroy();
    await tick();
    expect(source.destroyed).toBe(true);
    expect(stopped).toEqual(["closed"]);
  });

  it("stop() sends an end frame and releases the source", async () => {
    const client = new SlowClient();
    const { source, pump, stopped } = start(client);
    pump.stop();
    client.readAll();
    await tick();
    expect(client.frames()).toEqual([{ type: "end" }]);
    expect(source.destroyed).toBe(true);
    expect(stopped).toEqual(["stopped"]);
  });

  it("sends each chunk of a payload source as one frame, pausing it like a line source", async () => {
    const client = new SlowClient();
    const source = new Readable({ objectMode: true, read: () => undefined });
    pumpStream({
      source: { kind: "payloads", stream: source },
      out: client,
      validate: (data) => data,
      describeError: () => ({ code: "INTERNAL", message: "x" }),
    });
    source.push({ lines: ["a", "b"] });
    source.push({ lines: ["c"] });
    await tick();
    expect(source.isPaused()).toBe(true);
    source.push(null);
    for (let i = 0; i < 5; i++) {
      client.readAll();
      await tick();
    }
    expect(client.frames()).toEqual([
      { type: "data", data: { lines: ["a", "b"] } },
      { type: "data", data: { lines: ["c"] } },
      { type: "end" },
    ]);
  });
});
