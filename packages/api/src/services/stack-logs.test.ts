import type { ComposeLogBatch } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { decodeCursor, encodeCursor, MAX_EVENT_LINES, resumeSince, splitLines, timestampNanos, unseenLines } from "./stack-logs";

const line = (at: string, text = "x") => ({ stream: "stdout" as const, at, line: text });

describe("log cursors", () => {
  it("compares Docker's timestamps by value, whatever their fraction digits", () => {
    expect(timestampNanos("2024-05-01T10:00:00.5Z")).toBe(timestampNanos("2024-05-01T10:00:00.500000000Z"));
    expect((timestampNanos("2024-05-01T10:00:00.45Z") ?? 0n) < (timestampNanos("2024-05-01T10:00:00.5Z") ?? 0n)).toBe(true);
    expect(timestampNanos("2024-05-01T12:00:00+02:00")).toBe(timestampNanos("2024-05-01T10:00:00Z"));
    expect(timestampNanos("yesterday")).toBeNull();
  });

  it("round-trips, and ignores what is not a cursor", () => {
    const cursor = { c1: "2024-05-01T10:00:00.123Z" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("not base64 json")).toBeNull();
    expect(decodeCursor(null)).toBeNull();
  });

  it("resumes from the earliest container and drops what each container already sent", () => {
    const cursor = { a: "2024-05-01T10:00:02Z", b: "2024-05-01T10:00:01.5Z" };
    expect(resumeSince(cursor)).toBe("2024-05-01T10:00:01.5Z");
    const batch: ComposeLogBatch = {
      service: "web",
      container: "web-1",
      containerId: "a",
      lines: [line("2024-05-01T10:00:01.9Z"), line("2024-05-01T10:00:02Z"), line("2024-05-01T10:00:02.000000001Z", "new")],
    };
    expect(unseenLines(batch, cursor).map((l) => l.line)).toEqual(["new"]);
    expect(unseenLines({ ...batch, containerId: "unknown" }, cursor)).toHaveLength(3);
    expect(unseenLines(batch, null)).toHaveLength(3);
  });
});

describe("splitLines", () => {
  it("caps events by line count and by size", () => {
    const many = Array.from({ length: MAX_EVENT_LINES * 2 + 1 }, (_, i) => line("2024-05-01T10:00:00Z", String(i)));
    expect(splitLines(many).map((chunk) => chunk.length)).toEqual([MAX_EVENT_LINES, MAX_EVENT_LINES, 1]);
    const big = Array.from({ length: 40 }, () => line("2024-05-01T10:00:00Z", "y".repeat(16 * 1024)));
    const chunks = splitLines(big);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toHaveLength(40);
    for (const chunk of chunks) expect(chunk.reduce((n, l) => n + l.line.length, 0)).toBeLessThanOrEqual(256 * 1024);
  });
});
