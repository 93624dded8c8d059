import { describe, expect, it } from "vitest";

import { EMPTY_LIMITS, formToLimits, limitsToForm, parseSize } from "./limits-form";

describe("parseSize", () => {
  it("reads Docker's size syntax in powers of 1024", () => {
    expect(parseSize("512m")).toBe(512 * 1024 ** 2);
    expect(parseSize("1.5g")).toBe(1.5 * 1024 ** 3);
    expect(parseSize("2GiB")).toBe(2 * 1024 ** 3);
    expect(parseSize("1024")).toBe(1024);
    expect(parseSize("lots")).toBeNull();
  });
});

describe("formToLimits", () => {
  it("turns the form into the API's limits and back", () => {
    const values = { ...EMPTY_LIMITS, memory: "512m", cpus: "1.5", nofileSoft: "1024", nofileHard: "65536", capAdd: "sys_nice, CAP_IPC_LOCK", gpuMode: "count" as const, gpuCount: "1" };
    const { limits, errors } = formToLimits(values);
    expect(errors).toEqual({});
    expect(limits).toEqual({
      memoryBytes: 512 * 1024 ** 2,
      cpus: 1.5,
      gpus: { count: 1 },
      ulimits: { nofile: { soft: 1024, hard: 65536 } },
      capAdd: ["SYS_NICE", "IPC_LOCK"],
    });
    expect(limitsToForm(limits)).toMatchObject({ memory: "512m", cpus: "1.5", nofileSoft: "1024", capAdd: "SYS_NICE, IPC_LOCK", gpuMode: "count", gpuCount: "1" });
  });

  it("reports each field's problem, including the shared schema's cross-field rules", () => {
    const { errors } = formToLimits({ ...EMPTY_LIMITS, memory: "64m", memoryReservation: "128m", cpus: "-1", cpuRtPeriod: "1000", nofileSoft: "10", nofileHard: "5" });
    expect(errors.cpus).toMatch(/above 0/);
    expect(errors.memoryReservation).toMatch(/must not exceed the memory limit/);
    expect(errors.cpuRtPeriod).toMatch(/needs a real-time runtime/);
    expect(errors.nofileSoft).toMatch(/soft limit must not exceed/);
  });

  it("sets both ulimit values from one, and unlimited as -1", () => {
    expect(formToLimits({ ...EMPTY_LIMITS, memlockSoft: "unlimited" }).limits.ulimits).toEqual({ memlock: { soft: -1, hard: -1 } });
  });
});
