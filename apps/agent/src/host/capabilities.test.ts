import { describe, expect, it } from "vitest";

import {
  type DaemonFacts,
  dockerdSockets,
  findCgroupV1CpuMount,
  findDockerd,
  flagValues,
  hasCapSysResource,
  type HostFiles,
  nvidiaCapability,
  parseCmdline,
  parseCpuRtRuntimeFlag,
  parseDaemonConfigCpuRtRuntime,
  parseRtprioHardLimit,
  probeCapabilities,
  realtimeCpuCapability,
  rtprioCapability,
} from "./capabilities";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max realtime priority     0                    0
Max realtime timeout      unlimited            unlimited            us
`;

// CapEff of a root dockerd in a sandbox without CAP_SYS_RESOURCE, and of an ordinary root one.
const STATUS_WITHOUT_SYS_RESOURCE = "Name:\tdockerd\nCapEff:\t000001fffeffffff\n";
const STATUS_ROOT = "Name:\tdockerd\nCapEff:\t000001ffffffffff\n";

const MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

const found = (overrides: Partial<Extract<DaemonFacts, { found: true }>> = {}): DaemonFacts => ({
  found: true,
  pid: 42,
  cpuRtRuntime: 400000,
  unreadableConfig: null,
  rtprioHard: 0,
  capSysResource: false,
  ...overrides,
});

describe("command line parsing", () => {
  it("splits /proc/PID/cmdline on NUL", () => {
    expect(parseCmdline("dockerd\0-H\0unix:///a.sock\0")).toEqual(["dockerd", "-H", "unix:///a.sock"]);
  });

  it("reads flags in every form pflag accepts", () => {
    const argv = ["dockerd", "-H", "unix:///a", "--host=unix:///b", "-Hunix:///c", "-H=unix:///d", "--host", "tcp://0.0.0.0:2375"];
    expect(flagValues(argv, ["-H", "--host"])).toEqual(["unix:///a", "unix:///b", "unix:///c", "unix:///d", "tcp://0.0.0.0:2375"]);
  });

  it("does not mistake other flags for -H", () => {
    expect(flagValues(["dockerd", "--help"], ["-H", "--host"])).toEqual([]);
  });

  it("lists the unix sockets of a dockerd, with its default when none is named", () => {
    expect(dockerdSockets(["dockerd"])).toEqual(["/var/run/docker.sock"]);
    expect(dockerdSockets(["/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"])).toEqual([
      "/var/run/docker.sock",
    ]);
    expect(dockerdSockets(["dockerd", "--host", "unix:///tmp/h1/docker.sock", "-H", "tcp://127.0.0.1:2375"])).toEqual([
      "/tmp/h1/docker.sock",
    ]);
  });

  it("reads --cpu-rt-runtime as = or separate value", () => {
    expect(parseCpuRtRuntimeFlag(["dockerd", "--cpu-rt-runtime=400000"])).toBe(400000);
    expect(parseCpuRtRuntimeFlag(["dockerd", "--cpu-rt-runtime", "950000"])).toBe(950000);
    expect(parseCpuRtRuntimeFlag(["dockerd"])).toBeNull();
    expect(parseCpuRtRuntimeFlag(["dockerd", "--cpu-rt-runtime=lots"])).toBeNull();
  });

  it("reads cpu-rt-runtime from daemon.json", () => {
    expect(parseDaemonConfigCpuRtRuntime('{"cpu-rt-runtime": 300000, "log-driver": "local"}')).toBe(300000);
    expect(parseDaemonConfigCpuRtRuntime('{"log-driver": "local"}')).toBeNull();
    expect(parseDaemonConfigCpuRtRuntime("{not json")).toBeNull();
    expect(parseDaemonConfigCpuRtRuntime('{"cpu-rt-runtime": "300000"}')).toBeNull();
  });
});

describe("findDockerd", () => {
  const h1 = { pid: 10, argv: ["dockerd", "--host", "unix:///tmp/wharf-sandbox/h1/docker.sock"] };
  const h2 = { pid: 20, argv: ["dockerd", "--host", "unix:///tmp/wharf-sandbox/h2/docker.sock"] };
  const system = { pid: 30, argv: ["/usr/bin/dockerd", "-H", "fd://"] };

  it("picks the daemon serving DOCKER_HOST's socket among several", () => {
    expect(findDockerd([h1, h2, system], ["/tmp/wharf-sandbox/h2/docker.sock"])).toBe(h2);
  });

  it("treats /var/run and /run as the same directory", () => {
    expect(findDockerd([h1, system], ["/run/docker.sock"])).toBe(system);
  });

  it("falls back to the only dockerd there is", () => {
    expect(findDockerd([h1], ["/some/proxy.sock"])).toBe(h1);
    expect(findDockerd([h1], [])).toBe(h1);
  });

  it("gives up when several daemons exist and none serves the socket", () => {
    expect(findDockerd([h1, h2], ["/some/proxy.sock"])).toBeNull();
    expect(findDockerd([], ["/var/run/docker.sock"])).toBeNull();
  });
});

describe("/proc parsing", () => {
  it("reads the hard realtime priority limit", () => {
    expect(parseRtprioHardLimit(LIMITS)).toBe(0);
    expect(parseRtprioHardLimit(LIMITS.replace("Max realtime priority     0                    0", "Max realtime priority     0                    99"))).toBe(99);
    expect(parseRtprioHardLimit(LIMITS.replace("Max realtime priority     0                    0", "Max realtime priority     unlimited            unlimited"))).toBe(Infinity);
    expect(parseRtprioHardLimit("Limit  Soft Limit  Hard Limit\n")).toBeNull();
  });

  it("reads CAP_SYS_RESOURCE from CapEff", () => {
    expect(hasCapSysResource(STATUS_WITHOUT_SYS_RESOURCE)).toBe(false);
    expect(hasCapSysResource(STATUS_ROOT)).toBe(true);
    expect(hasCapSysResource("Name:\tx\n")).toBeNull();
  });

  it("finds the cgroup v1 cpu controller mount", () => {
    expect(findCgroupV1CpuMount(MOUNTINFO)).toBe("/sys/fs/cgroup/cpu,cpuacct");
    expect(findCgroupV1CpuMount("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")).toBeNull();
    expect(findCgroupV1CpuMount("32 31 0:29 / /mnt/my\\040cgroups rw - cgroup cgroup rw,cpu\n")).toBe("/mnt/my cgroups");
  });
});

describe("capability decisions", () => {
  const realtime = { cgroupVersion: "1", kernelRtRuntime: 950000, cgroupHasRtRuntime: true };

  it("grants real-time CPU when kernel, cgroup and daemon all allow it", () => {
    expect(realtimeCpuCapability({ ...realtime, daemon: found() })).toEqual({
      available: true,
      detail: "daemon grants up to 400000 µs of real-time CPU per period",
    });
  });

  it("explains each reason real-time CPU is unavailable", () => {
    const detail = (facts: Parameters<typeof realtimeCpuCapability>[0]): string => {
      const capability = realtimeCpuCapability(facts);
      expect(capability.available).toBe(false);
      return capability.detail;
    };
    expect(detail({ ...realtime, cgroupVersion: "2", daemon: found() })).toMatch(/cgroup v2/);
    expect(detail({ ...realtime, kernelRtRuntime: null, daemon: found() })).toMatch(/sched_rt_runtime_us/);
    expect(detail({ ...realtime, kernelRtRuntime: 0, daemon: found() })).toMatch(/is 0/);
    expect(detail({ ...realtime, cgroupHasRtRuntime: false, daemon: found() })).toMatch(/without real-time group scheduling/);
    expect(detail({ ...realtime, daemon: { found: false, socket: "/var/run/docker.sock" } })).toMatch(
      /no dockerd process serving \/var\/run\/docker.sock is visible.*unknown/,
    );
    expect(detail({ ...realtime, daemon: found({ cpuRtRuntime: null }) })).toBe(
      "the Docker daemon was started without --cpu-rt-runtime, so containers cannot get real-time CPU",
    );
    expect(detail({ ...realtime, daemon: found({ cpuRtRuntime: null, unreadableConfig: "/etc/docker/daemon.json" }) })).toMatch(
      /daemon.json is not readable/,
    );
    expect(detail({ ...realtime, daemon: found({ cpuRtRuntime: 0 }) })).toMatch(/--cpu-rt-runtime=0/);
  });

  it("treats an unthrottled kernel (-1) as allowing real-time CPU", () => {
    expect(realtimeCpuCapability({ ...realtime, kernelRtRuntime: -1, daemon: found() }).available).toBe(true);
  });

  it("grants rtprio from the hard limit or CAP_SYS_RESOURCE", () => {
    expect(rtprioCapability(found({ rtprioHard: 99 }))).toEqual({
      available: true,
      detail: "the Docker daemon's hard RLIMIT_RTPRIO is 99, so containers can get ulimit rtprio up to 99",
    });
    expect(rtprioCapability(found({ rtprioHard: Infinity })).detail).toMatch(/unlimited/);
    expect(rtprioCapability(found({ rtprioHard: 0, capSysResource: true })).available).toBe(true);
  });

  it("refuses rtprio with the daemon's reason", () => {
    expect(rtprioCapability(found({ rtprioHard: 0, capSysResource: false }))).toEqual({
      available: false,
      detail: "the Docker daemon's hard RLIMIT_RTPRIO is 0 and it lacks CAP_SYS_RESOURCE to raise it, so ulimit rtprio cannot be granted",
    });
    expect(rtprioCapability(found({ rtprioHard: 0, capSysResource: null })).detail).toBe(
      "the Docker daemon's hard RLIMIT_RTPRIO is 0, so ulimit rtprio cannot be granted",
    );
    expect(rtprioCapability(found({ rtprioHard: null })).detail).toMatch(/\/proc\/42\/limits/);
    expect(rtprioCapability({ found: false, socket: "/x.sock" }).available).toBe(false);
  });

  it("reports the nvidia runtime", () => {
    expect(nvidiaCapability(["runc", "nvidia"]).available).toBe(true);
    expect(nvidiaCapability(["runc"])).toEqual({
      available: false,
      detail: "the Docker daemon has no nvidia runtime registered (runtimes: runc), so containers cannot use GPUs",
    });
  });
});

describe("probeCapabilities", () => {
  function fakeHost(files: Record<string, string>): HostFiles {
    return {
      read: (file) => files[file] ?? null,
      exists: (file) => file in files,
      pids: () => Object.keys(files).flatMap((file) => /^\/proc\/(\d+)\/cmdline$/.exec(file)?.[1] ?? []).map(Number),
      realpath: (file) => file,
    };
  }

  const sandboxHost = {
    "/proc/sys/kernel/sched_rt_runtime_us": "950000\n",
    "/proc/self/mountinfo": MOUNTINFO,
    "/sys/fs/cgroup/cpu,cpuacct/cpu.rt_runtime_us": "950000\n",
    "/proc/1/cmdline": "/sbin/init\0",
    "/proc/11/cmdline": "dockerd\0--host\0unix:///tmp/h1/docker.sock\0--cpu-rt-runtime=400000\0",
    "/proc/11/limits": LIMITS,
    "/proc/11/status": STATUS_WITHOUT_SYS_RESOURCE,
    "/proc/12/cmdline": "dockerd\0--host\0unix:///tmp/h2/docker.sock\0",
    "/proc/12/limits": LIMITS,
    "/proc/12/status": STATUS_ROOT,
  };

  it("probes the daemon behind DOCKER_HOST, not another one", () => {
    const h1 = probeCapabilities({ cgroupVersion: "1", runtimes: ["runc"], dockerSocketPath: "/tmp/h1/docker.sock" }, fakeHost(sandboxHost));
    expect(h1.realtimeCpu.available).toBe(true);
    expect(h1.rtprio.available).toBe(false);

    const h2 = probeCapabilities({ cgroupVersion: "1", runtimes: ["runc"], dockerSocketPath: "/tmp/h2/docker.sock" }, fakeHost(sandboxHost));
    expect(h2.realtimeCpu.detail).toMatch(/without --cpu-rt-runtime/);
    expect(h2.rtprio.available).toBe(true);
  });

  it("reads cpu-rt-runtime from the daemon's --config-file", () => {
    const host = fakeHost({
      ...sandboxHost,
      "/proc/12/cmdline": "dockerd\0--host\0unix:///tmp/h2/docker.sock\0--config-file\0/etc/wharf/daemon.json\0",
      "/etc/wharf/daemon.json": '{"cpu-rt-runtime": 250000}',
    });
    const facts = probeCapabilities({ cgroupVersion: "1", runtimes: [], dockerSocketPath: "/tmp/h2/docker.sock" }, host);
    expect(facts.realtimeCpu.detail).toBe("daemon grants up to 250000 µs of real-time CPU per period");
  });

  it("says so when no dockerd is visible", () => {
    const facts = probeCapabilities(
      { cgroupVersion: "1", runtimes: [], dockerSocketPath: "/var/run/docker.sock" },
      fakeHost({ "/proc/sys/kernel/sched_rt_runtime_us": "950000", "/proc/self/mountinfo": MOUNTINFO, "/sys/fs/cgroup/cpu,cpuacct/cpu.rt_runtime_us": "0" }),
    );
    expect(facts.realtimeCpu.detail).toMatch(/no dockerd process serving \/var\/run\/docker.sock is visible/);
    expect(facts.rtprio.detail).toMatch(/unknown/);
  });
});
