import { describe, expect, it } from "vitest";

import { EMPTY_LIMITS, formToLimits, hostLimitWarnings, limitsToForm, parseSize } from "./limits-form";

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

describe("hostLimitWarnings", () => {
  const no = (detail: string) => ({ available: false, detail });
  const yes = { available: true, detail: "ok" };
  const h1 = { hostName: "h1", capabilities: { rtprio: no("the daemon's hard RLIMIT_RTPRIO is 0"), realtimeCpu: yes, nvidiaRuntime: no("no nvidia runtime") } };
  const unknown = { hostName: "h2", capabilities: null };

  it("names each target that already said it cannot grant a limit, as it is typed", () => {
    expect(hostLimitWarnings({ ...EMPTY_LIMITS, rtprioSoft: "99" }, [h1, unknown])).toEqual(["h1 cannot grant ulimit rtprio: the daemon's hard RLIMIT_RTPRIO is 0."]);
    expect(hostLimitWarnings({ ...EMPTY_LIMITS, gpuMode: "all", cpuRtRuntime: "1000" }, [h1])).toEqual(["h1 cannot give containers GPUs: no nvidia runtime."]);
    expect(hostLimitWarnings({ ...EMPTY_LIMITS, rtprioSoft: "0", memory: "1g" }, [h1])).toEqual([]);
  });
});
