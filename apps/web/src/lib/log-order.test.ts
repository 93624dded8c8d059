import { describe, expect, it } from "vitest";

import type { LogLine } from "./log-buffer";
import { ReorderWindow, timeKey } from "./log-order";

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
    window.add([at("web", "2026-01-01T00:00:01Z"), at("web", "2026-01-01T00:00:03Z")], 0);
    window.add([at("db", "2026-01-01T00:00:02Z")], 10);
    expect(window.take(50)).toEqual([]);
    expect(window.take(120).map((line) => line.line)).toEqual(["web 2026-01-01T00:00:01Z", "db 2026-01-01T00:00:02Z", "web 2026-01-01T00:00:03Z"]);
    expect(window.size).toBe(0);
  });

  it("holds nothing while one container speaks alone, unless several were expected", () => {
    const lone = new ReorderWindow(100, 1_000, false);
    lone.add([at("web", "2026-01-01T00:00:01Z")], 0);
    expect(lone.take(1).map((line) => line.line)).toEqual(["web 2026-01-01T00:00:01Z"]);
    const stack = new ReorderWindow(100, 1_000, true);
    stack.add([at("web", "2026-01-01T00:00:01Z")], 0);
    expect(stack.take(1)).toEqual([]);
  });

  it("holds again once a second container speaks, so their lines still interleave", () => {
    const window = new ReorderWindow(100, 1_000, false);
    window.add([at("web", "2026-01-01T00:00:03Z")], 0);
    window.add([at("db", "2026-01-01T00:00:02Z")], 10);
    expect(window.take(50)).toEqual([]);
    expect(window.take(120).map((line) => line.line)).toEqual(["db 2026-01-01T00:00:02Z", "web 2026-01-01T00:00:03Z"]);
    // A new stream (clear) starts alone again.
    window.clear();
    window.add([at("web", "2026-01-01T00:00:04Z")], 200);
    expect(window.take(201)).toHaveLength(1);
  });

  it("releases everything at once past its bound, so memory stays bounded without frames", () => {
    const window = new ReorderWindow(1_000_000, 2);
    window.add([at("a", "2026-01-01T00:00:01Z"), at("a", "2026-01-01T00:00:02Z"), at("a", "2026-01-01T00:00:03Z")], 0);
    expect(window.overflowing).toBe(true);
    expect(window.take(0)).toHaveLength(3);
  });
});
