import { describe, expect, it } from "vitest";

import {
  capAddCheck,
  formatCpuList,
  type HostResources,
  parseCpuList,
  realtimeBudgetCheck,
  realtimeCheck,
  resourceChecks,
  runcReason,
  ulimitCheck,
} from "./preflight-checks";

const GiB = 1024 ** 3;
// The sandbox's h1: 2 CPUs, a dockerd with --cpu-rt-runtime=400000 lacking CAP_SYS_RESOURCE, no GPUs.
const h1: HostResources = {
  host: "h1",
  cpus: 2,
  memoryBytes: 24 * GiB,
  onlineCpus: [0, 1],
  runtimes: ["io.containerd.runc.v2", "runc"],
  gpuDevices: [],
  realtime: { capability: { available: true, detail: "daemon grants up to 400000 µs of real-time CPU per period" }, budget: 400000 },
  daemonCapBnd: 0x1fffeffffffn,
};

describe("resourceChecks", () => {
  it("passes what the host has", () => {
    const checks = resourceChecks("web", { memoryBytes: GiB, cpus: 2, cpuset: "0-1" }, h1);
    expect(checks.map((check) => [check.check, check.ok])).toEqual([
      ["memory", true],
      ["cpus", true],
      ["cpuset", true],
    ]);
  });

  it("refuses memory, CPUs and cpusets beyond the host, saying what to do", () => {
    const [memory, reservation, cpus, cpuset] = resourceChecks("web", { memoryBytes: 64 * GiB, memoryReservationBytes: 32 * GiB, cpus: 4, cpuset: "1-3" }, h1);
    expect(memory?.message).toBe(
      "host h1 cannot grant memory=64.0 GiB: the host has 24.0 GiB of memory in total; lower the service's memory to at most 24.0 GiB or deploy to a larger host",
    );
    expect(reservation?.message).toMatch(/^host h1 cannot grant memory reservation=32.0 GiB/);
    expect(cpus?.message).toBe("host h1 cannot grant cpus=4: the host has 2 CPUs; lower cpus to at most 2 or deploy to a larger host");
    expect(cpuset?.message).toBe("host h1 cannot grant cpuset=1-3: CPUs 2-3 do not exist on it (online: 0-1); use CPUs from 0-1");
  });

  it("refuses GPUs without the nvidia runtime, and counts devices with it", () => {
    const [none] = resourceChecks("ml", { gpus: { count: 1 } }, h1);
    expect(none).toMatchObject({ ok: false, check: "gpus" });
    expect(none?.message).toMatch(/^host h1 cannot grant 1 GPU: the host has no nvidia container runtime, so GPUs cannot be granted; install the NVIDIA Container Toolkit/);
    const gpuHost = { ...h1, runtimes: ["nvidia", "runc"], gpuDevices: [0, 1] };
    expect(resourceChecks("ml", { gpus: { count: "all" } }, gpuHost)[0]?.ok).toBe(true);
    expect(resourceChecks("ml", { gpus: { count: 4 } }, gpuHost)[0]?.message).toMatch(/the host has 2 GPUs/);
    expect(resourceChecks("ml", { gpus: { deviceIds: ["3"] } }, gpuHost)[0]?.message).toMatch(/GPU 3 does not exist/);
  });
});

describe("realtime", () => {
  it("grants a runtime within the daemon's budget and refuses one above it", () => {
    expect(realtimeCheck("rt", 300000, undefined, h1, null)).toMatchObject({ ok: true });
    expect(realtimeCheck("rt", 900000, undefined, h1).message).toBe(
      "host h1 cannot grant cpu_rt_runtime=900000: the Docker daemon grants at most 400000 µs of real-time CPU per period (--cpu-rt-runtime=400000); lower cpu_rt_runtime to at most 400000 or restart dockerd with a larger --cpu-rt-runtime",
    );
    expect(realtimeCheck("rt", 300000, 200000, h1).message).toMatch(/longer than its period cpu_rt_period=200000/);
  });

  it("refuses when the daemon grants none, and when a test container could not get it", () => {
    const none = { ...h1, realtime: { capability: { available: false, detail: "the Docker daemon was started without --cpu-rt-runtime, so containers cannot get real-time CPU" }, budget: null } };
    expect(realtimeCheck("rt", 1000, undefined, none).message).toBe(
      "host h1 cannot grant cpu_rt_runtime=1000: the Docker daemon was started without --cpu-rt-runtime, so containers cannot get real-time CPU; start dockerd with --cpu-rt-runtime=1000 or more, on a cgroup v1 host whose kernel has real-time group scheduling",
    );
    const error = "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to init CPU RT controller: write /sys/fs/cgroup/cpu,cpuacct/docker/cpu.rt_runtime_us: invalid argument: unknown";
    expect(realtimeCheck("rt", 300000, undefined, h1, error).message).toMatch(
      /^host h1 cannot grant cpu_rt_runtime=300000: a test container with it failed \(unable to init CPU RT controller: write .*: invalid argument\); the machine-wide/,
    );
  });

  it("adds up the stack's containers, replicas included, with what other stacks hold", () => {
    expect(realtimeBudgetCheck("shop", [{ service: "a", runtime: 100000, replicas: 2 }], 100000, h1)?.ok).toBe(true);
    const over = realtimeBudgetCheck("shop", [{ service: "a", runtime: 300000, replicas: 1 }, { service: "b", runtime: 200000, replicas: 1 }], 0, h1);
    expect(over).toMatchObject({ service: null, ok: false });
    expect(over?.message).toMatch(/^host h1 cannot grant cpu_rt_runtime=500000 in total to stack shop \(a 300000, b 200000\)/);
    expect(realtimeBudgetCheck("shop", [], 0, h1)).toBeNull();
  });
});

describe("ulimitCheck", () => {
  const rtprioRefused = {
    ok: false as const,
    error:
      "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 14: operation not permitted: unknown",
  };

  it("explains a refused rtprio with the daemon's hard limit", () => {
    expect(ulimitCheck("rt", "rtprio", { soft: 99, hard: 99 }, rtprioRefused, 0, "h1")).toEqual({
      service: "rt",
      check: "ulimit",
      ok: false,
      message:
        "host h1 cannot grant ulimit rtprio=99: the Docker daemon's hard RLIMIT_RTPRIO is 0; start dockerd with a higher rtprio limit (LimitRTPRIO=infinity in its systemd unit)",
    });
    expect(ulimitCheck("rt", "rtprio", { soft: 99, hard: 99 }, rtprioRefused, null, "h1").message).toBe(
      "host h1 cannot grant ulimit rtprio=99: the Docker daemon cannot raise RLIMIT_RTPRIO that far (runc: error setting rlimit type 14: operation not permitted); start dockerd with a higher rtprio limit (LimitRTPRIO=infinity in its systemd unit)",
    );
  });

  it("passes a granted ulimit and names other failures as they are", () => {
    expect(ulimitCheck("db", "nofile", { soft: 1024, hard: 4096 }, { ok: true }, 20000, "h1")).toMatchObject({ ok: true, message: "ulimit nofile=1024:4096: granted to a test container" });
    expect(ulimitCheck("db", "nofile", { soft: 1, hard: 1 }, { ok: false, error: "no image is on the host to test ulimit nofile=1 with" }, 20000, "h1").message).toMatch(
      /a test container with it failed: no image is on the host/,
    );
  });
});

describe("capAddCheck", () => {
  it("checks names and the daemon's bounding set", () => {
    expect(capAddCheck("rt", ["SYS_NICE", "cap_net_admin"], h1, null).ok).toBe(true);
    expect(capAddCheck("rt", ["SYS_NICE", "sys_resource"], h1, null).message).toBe(
      "host h1 cannot grant cap_add SYS_NICE, sys_resource: the Docker daemon itself lacks CAP_SYS_RESOURCE (it runs rootless or confined); run dockerd as root with the full capability set, or drop these from cap_add",
    );
    expect(capAddCheck("rt", ["SYS_MAGIC"], h1, null).message).toMatch(/SYS_MAGIC is not a Linux capability/);
    const hidden = { ...h1, daemonCapBnd: null };
    expect(capAddCheck("rt", ["SYS_NICE"], hidden, null).ok).toBe(true);
    expect(capAddCheck("rt", ["SYS_NICE"], hidden, "unable to apply caps: operation not permitted: unknown").message).toMatch(/a test container with them failed: unable to apply caps: operation not permitted;/);
  });
});

describe("helpers", () => {
  it("reads and writes CPU lists", () => {
    expect(parseCpuList("0-2,5")).toEqual([0, 1, 2, 5]);
    expect(parseCpuList("3-1")).toBeNull();
    expect(parseCpuList("x")).toBeNull();
    expect(formatCpuList([5, 0, 1, 2])).toBe("0-2,5");
    expect(formatCpuList([])).toBe("none");
  });

  it("unwraps runc errors", () => {
    expect(runcReason("(HTTP code 500) server error - failed to create shim task: OCI runtime create failed: runc create failed: unable to apply caps: operation not permitted: unknown")).toBe(
      "unable to apply caps: operation not permitted",
    );
  });
});
