import { describe, expect, it } from "vitest";

import { LogChunk, type LogLine } from "./log-buffer";
import { ReorderWindow, timeKey } from "./log-order";

const chunk = (lines: LogLine[]): LogChunk => new LogChunk(lines[0]?.service ?? "", lines[0]?.container ?? "", lines);
const lines = (chunks: LogChunk[]): string[] => chunks.flatMap((taken) => Array.from({ length: taken.length }, (_, index) => taken.text(index)));
const at = (container: string, time: string): LogLine => ({ service: container, container, stream: "stdout", at: time, line: `${container} ${time}` });

describe("timeKey", () => {
  it("orders Docker's trimmed fractions as times, not as text", () => {
    expect(timeKey("2026-01-01T00:00:00.5Z") > timeKey("2026-01-01T00:00:00.45Z")).toBe(true);
    expect(timeKey("2026-01-01T00:00:01Z") > timeKey("2026-01-01T00:00:00.999999999Z")).toBe(true);
  });
});

describe("ReorderWindow", () => {
  it("holds lines, then releases the batches of several containers interleaved by time", () => {
    const window = new ReorderWindow(100, 1_000);
    window.add(chunk([at("web", "2026-01-01T00:00:01Z"), at("web", "2026-01-01T00:00:03Z")]), 0);
    window.add(chunk([at("db", "2026-01-01T00:00:02Z")]), 10);
    expect(window.take(50)).toEqual([]);
    expect(lines(window.take(120))).toEqual(["web 2026-01-01T00:00:01Z", "db 2026-01-01T00:00:02Z", "web 2026-01-01T00:00:03Z"]);
    expect(window.size).toBe(0);
  });

  it("holds nothing while one container speaks alone, unless several were expected", () => {
    const lone = new ReorderWindow(100, 1_000, false);
    lone.add(chunk([at("web", "2026-01-01T00:00:01Z")]), 0);
    expect(lines(lone.take(1))).toEqual(["web 2026-01-01T00:00:01Z"]);
    const stack = new ReorderWindow(100, 1_000, true);
    stack.add(chunk([at("web", "2026-01-01T00:00:01Z")]), 0);
    expect(stack.take(1)).toEqual([]);
  });

  it("holds again once a second container speaks, so their lines still interleave", () => {
    const window = new ReorderWindow(100, 1_000, false);
    window.add(chunk([at("web", "2026-01-01T00:00:03Z")]), 0);
    window.add(chunk([at("db", "2026-01-01T00:00:02Z")]), 10);
    expect(window.take(50)).toEqual([]);
    expect(lines(window.take(120))).toEqual(["db 2026-01-01T00:00:02Z", "web 2026-01-01T00:00:03Z"]);
    // A new stream (clear) starts alone again.
    window.clear();
    window.add(chunk([at("web", "2026-01-01T00:00:04Z")]), 200);
    expect(window.take(201)).toHaveLength(1);
  });

  it("releases everything at once past its bound, so memory stays bounded without frames", () => {
    const window = new ReorderWindow(1_000_000, 2);
    window.add(chunk([at("a", "2026-01-01T00:00:01Z"), at("a", "2026-01-01T00:00:02Z"), at("a", "2026-01-01T00:00:03Z")]), 0);
    expect(window.overflowing).toBe(true);
    expect(lines(window.take(0))).toHaveLength(3);
  });
});
