import { describe, expect, it } from "vitest";

import { cpuBusyPercent, memoryFromMeminfo } from "./host-usage";

describe("host usage parsing", () => {
  it("takes the busy share of all cores from two /proc/stat readings, idle and iowait counting as idle", () => {
    const before = "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n";
    const after = "cpu  250 0 150 1100 200 0 0 0 0 0\ncpu0 125 0 75 550 100 0 0 0 0 0\n";
    // busy +200 of total +700
    expect(cpuBusyPercent(before, after)).toBeCloseTo((200 / 700) * 100, 5);
    expect(cpuBusyPercent(before, before)).toBe(0);
  });

  it("reads MemTotal and MemAvailable in bytes", () => {
    const meminfo = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\nBuffers:  1 kB\n";
    expect(memoryFromMeminfo(meminfo)).toEqual({ totalBytes: 24576000 * 1024, availableBytes: 20480000 * 1024 });
  });
});
