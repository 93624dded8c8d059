import { describe, expect, it } from "vitest";

import { LogBuffer, LogChunk, type LogLine } from "./log-buffer";

const line = (service: string, text: string): LogLine => ({ service, container: `${service}-1`, stream: "stdout", at: "2026-01-01T00:00:00Z", line: text });
const texts = (buffer: LogBuffer): string[] => Array.from({ length: buffer.length }, (_, index) => buffer.at(index)?.line ?? "?");

describe("LogChunk", () => {
  it("gives back each line as it came, stream, time and text (any characters) included", () => {
    const lines = [
      { stream: "stdout", at: "2026-01-01T00:00:00.5Z", line: "" },
      { stream: "stderr", at: "2026-01-01T00:00:00.123456789Z", line: "héllo 🐳 | tab\there" },
      { stream: "stdout", at: "2026-01-01T00:00:01Z", line: "last" },
    ] as const;
    const chunk = new LogChunk("web", "app-web-1", lines);
    expect(Array.from({ length: chunk.length }, (_, index) => chunk.line(index))).toEqual(lines.map((entry) => ({ service: "web", container: "app-web-1", ...entry })));
    expect(chunk.text(1)).toBe("héllo 🐳 | tab\there");
  });

  it("splits lines into runs of one container", () => {
    const chunks = LogChunk.of([line("web", "1"), line("web", "2"), line("db", "3"), line("web", "4")]);
    expect(chunks.map((chunk) => [chunk.container, chunk.length])).toEqual([
      ["web-1", 2],
      ["db-1", 1],
      ["web-1", 1],
    ]);
  });
});

describe("LogBuffer", () => {
  it("counts the lines received since it was last cleared (a new stream), not every line ever", () => {
    const buffer = new LogBuffer(10);
    buffer.push(LogChunk.of(["a", "b", "c"].map((text) => line("web", text))));
    buffer.clear();
    buffer.push(LogChunk.of(["d", "e"].map((text) => line("web", text))));
    expect(buffer.received).toBe(2);
    expect(texts(buffer)).toEqual(["d", "e"]);
  });

  it("keeps the last lines up to its capacity and counts what it dropped", () => {
    const buffer = new LogBuffer(3);
    buffer.push(LogChunk.of(["a", "b", "c", "d", "e"].map((text) => line("web", text))));
    expect(texts(buffer)).toEqual(["c", "d", "e"]);
    expect(buffer.received).toBe(5);
    expect(buffer.droppedTotal).toBe(2);
  });

  it("filters by service, also for lines that arrive later and for evictions", () => {
    const buffer = new LogBuffer(4);
    buffer.push(LogChunk.of([line("web", "w1"), line("db", "d1"), line("web", "w2")]));
    buffer.setHidden(new Set(["db"]));
    expect(texts(buffer)).toEqual(["w1", "w2"]);
    buffer.push(LogChunk.of([line("db", "d2"), line("web", "w3"), line("web", "w4")]));
    // Capacity 4 keeps w2 d2 w3 w4; the filter shows the web ones, and w1 counts as dropped.
    expect(texts(buffer)).toEqual(["w2", "w3", "w4"]);
    expect(buffer.droppedTotal).toBe(1);
    expect(buffer.indexOfSeq(buffer.seqAt(1))).toBe(1);
  });

  it("finds matches case-insensitively among the shown lines and walks them both ways", () => {
    const buffer = new LogBuffer(10);
    buffer.push(LogChunk.of([line("web", "GET /"), line("db", "get row"), line("web", "post"), line("web", "get /x")]));
    buffer.setQuery("get");
    expect(buffer.matchCount).toBe(3);
    buffer.setHidden(new Set(["db"]));
    expect(buffer.matchCount).toBe(2);
    const first = buffer.matchSeq(0);
    const second = buffer.matchSeq(1);
    expect(buffer.nearestMatch(first + 1, true)).toBe(1);
    expect(buffer.nearestMatch(second + 1, true)).toBe(0); // wraps
    expect(buffer.nearestMatch(first - 1, false)).toBe(1); // wraps back
    expect(buffer.nearestMatch(second, false)).toBe(1);
  });

  it("evicts inside a chunk and across chunks, numbering lines on", () => {
    const buffer = new LogBuffer(4);
    buffer.push(LogChunk.of(["a", "b", "c"].map((text) => line("web", text))));
    buffer.push(LogChunk.of(["d", "e", "f"].map((text) => line("db", text))));
    expect(texts(buffer)).toEqual(["c", "d", "e", "f"]);
    expect(buffer.at(0)?.service).toBe("web");
    expect(buffer.indexOfSeq(buffer.seqAt(3))).toBe(3);
    buffer.push(LogChunk.of(["g", "h", "i", "j"].map((text) => line("web", text))));
    expect(texts(buffer)).toEqual(["g", "h", "i", "j"]);
    expect(buffer.bySeq(buffer.seqAt(0) - 1)).toBeUndefined();
    expect(buffer.droppedTotal).toBe(6);
  });

  it("exports the shown lines as compose prints them", () => {
    const buffer = new LogBuffer(5);
    buffer.push(LogChunk.of([line("web", "hello")]));
    expect(buffer.toText()).toBe("web-1 | 2026-01-01T00:00:00Z hello\n");
  });
});
