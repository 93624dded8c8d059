import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";

import type { Capability, HostFacts } from "@wharf/agent-protocol";

/**
 * Whether this host can grant the runtime limits Wharf deploys with. The
 * answers come from the kernel, the cgroup mounts and the dockerd process
 * itself, because runc fails late and cryptically when any of them says no.
 */

export type HostCapabilities = HostFacts["capabilities"];

const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";
const DEFAULT_DAEMON_CONFIG = "/etc/docker/daemon.json";
const KERNEL_RT_RUNTIME = "/proc/sys/kernel/sched_rt_runtime_us";
// Bit 24 of the capability sets in /proc/PID/status (linux/capability.h).
const CAP_SYS_RESOURCE = 24n;

/** Read-only view of the host's files; tests substitute a fake one. */
export interface HostFiles {
  /** File contents, or null when it does not exist or cannot be read. */
  read(file: string): string | null;
  exists(file: string): boolean;
  pids(): number[];
  realpath(file: string): string | null;
}

export const hostFiles: HostFiles = {
  read: (file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return null;
    }
  },
  exists: (file) => existsSync(file),
  pids: () => readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number),
  realpath: (file) => {
    try {
      return realpathSync(file);
    } catch {
      return null;
    }
  },
};

export interface CapabilityInputs {
  /** From `docker info`: "1" or "2". */
  cgroupVersion: string;
  runtimes: string[];
  /** The socket DOCKER_HOST points at; null for tcp. */
  dockerSocketPath: string | null;
}

export interface ProcessEntry {
  pid: number;
  argv: string[];
}

/** What the dockerd process serving this agent's DOCKER_HOST allows, as far as /proc shows it. */
export type DaemonFacts =
  | { found: false; socket: string }
  | {
      found: true;
      pid: number;
      /** µs per period from --cpu-rt-runtime or daemon.json; null when neither sets it. */
      cpuRtRuntime: number | null;
      /** The daemon config file, when it exists but cannot be read (the budget is then unknown). */
      unreadableConfig: string | null;
      /** Hard RLIMIT_RTPRIO; null when /proc/PID/limits cannot be read. */
      rtprioHard: number | null;
      capSysResource: boolean | null;
    };

export function probeCapabilities(inputs: CapabilityInputs, files: HostFiles = hostFiles): HostCapabilities {
  return probeHost(inputs, files).capabilities;
}

/** The capabilities and the daemon facts behind them (preflight needs the daemon's numbers too). */
export function probeHost(inputs: CapabilityInputs, files: HostFiles = hostFiles): { capabilities: HostCapabilities; daemon: DaemonFacts } {
  const daemon = probeDaemon(inputs.dockerSocketPath, files);
  const kernelRaw = files.read(KERNEL_RT_RUNTIME);
  const cpuMount = findCgroupV1CpuMount(files.read("/proc/self/mountinfo") ?? "");
  return {
    capabilities: {
      nvidiaRuntime: nvidiaCapability(inputs.runtimes),
      realtimeCpu: realtimeCpuCapability({
        cgroupVersion: inputs.cgroupVersion,
        kernelRtRuntime: kernelRaw === null ? null : parseIntStrict(kernelRaw),
        cgroupHasRtRuntime: cpuMount !== null && files.exists(path.join(cpuMount, "cpu.rt_runtime_us")),
        daemon,
      }),
      rtprio: rtprioCapability(daemon),
    },
    daemon,
  };
}

function probeDaemon(socketPath: string | null, files: HostFiles): DaemonFacts {
  const processes: ProcessEntry[] = [];
  for (const pid of files.pids()) {
    const raw = files.read(`/proc/${pid}/cmdline`);
    if (raw === null) continue;
    const argv = parseCmdline(raw);
    if (isDockerd(argv)) processes.push({ pid, argv });
  }
  const candidates = socketPath === null ? [] : [socketPath, files.realpath(socketPath) ?? socketPath];
  const dockerd = findDockerd(processes, candidates);
  if (dockerd === null) return { found: false, socket: socketPath ?? "DOCKER_HOST" };

  let cpuRtRuntime = parseCpuRtRuntimeFlag(dockerd.argv);
  let unreadableConfig: string | null = null;
  if (cpuRtRuntime === null) {
    const configPath = flagValue(dockerd.argv, "--config-file") ?? DEFAULT_DAEMON_CONFIG;
    const config = files.read(configPath);
    if (config !== null) cpuRtRuntime = parseDaemonConfigCpuRtRuntime(config);
    else if (files.exists(configPath)) unreadableConfig = configPath;
  }
  const limits = files.read(`/proc/${dockerd.pid}/limits`);
  const status = files.read(`/proc/${dockerd.pid}/status`);
  return {
    found: true,
    pid: dockerd.pid,
    cpuRtRuntime,
    unreadableConfig,
    rtprioHard: limits === null ? null : parseRtprioHardLimit(limits),
    capSysResource: status === null ? null : hasCapSysResource(status),
  };
}

export function nvidiaCapability(runtimes: string[]): Capability {
  return runtimes.includes("nvidia")
    ? { available: true, detail: "the Docker daemon has the nvidia runtime registered" }
    : {
        available: false,
        detail: `the Docker daemon has no nvidia runtime registered (runtimes: ${runtimes.join(", ") || "none"}), so containers cannot use GPUs`,
      };
}

export interface RealtimeCpuFacts {
  cgroupVersion: string;
  /** /proc/sys/kernel/sched_rt_runtime_us; null when missing. -1 means unthrottled. */
  kernelRtRuntime: number | null;
  /** The cgroup v1 cpu controller has cpu.rt_runtime_us (kernel built with RT group scheduling). */
  cgroupHasRtRuntime: boolean;
  daemon: DaemonFacts;
}

export function realtimeCpuCapability(facts: RealtimeCpuFacts): Capability {
  const no = (detail: string): Capability => ({ available: false, detail });
  if (facts.cgroupVersion === "2") {
    return no("this host uses cgroup v2, which has no per-container real-time CPU budget (cpu.rt_runtime_us), so containers cannot get real-time CPU");
  }
  if (facts.kernelRtRuntime === null) {
    return no(`the kernel has no ${KERNEL_RT_RUNTIME}, so containers cannot get real-time CPU`);
  }
  if (facts.kernelRtRuntime === 0) {
    return no(`the kernel grants no real-time CPU (${KERNEL_RT_RUNTIME} is 0), so containers cannot get real-time CPU`);
  }
  if (!facts.cgroupHasRtRuntime) {
    return no("the kernel was built without real-time group scheduling (the cgroup v1 cpu controller has no cpu.rt_runtime_us), so containers cannot get real-time CPU");
  }
  const daemon = facts.daemon;
  if (!daemon.found) {
    return no(`no dockerd process serving ${daemon.socket} is visible in /proc (another PID namespace, or /proc mounted with hidepid), so its real-time CPU budget is unknown`);
  }
  if (daemon.cpuRtRuntime === null) {
    if (daemon.unreadableConfig !== null) {
      return no(`the Docker daemon was started without --cpu-rt-runtime and its config ${daemon.unreadableConfig} is not readable, so its real-time CPU budget is unknown`);
    }
    return no("the Docker daemon was started without --cpu-rt-runtime, so containers cannot get real-time CPU");
  }
  if (daemon.cpuRtRuntime <= 0) {
    return no(`the Docker daemon was started with --cpu-rt-runtime=${daemon.cpuRtRuntime}, so containers cannot get real-time CPU`);
  }
  return { available: true, detail: `daemon grants up to ${daemon.cpuRtRuntime} µs of real-time CPU per period` };
}

export function rtprioCapability(daemon: DaemonFacts): Capability {
  if (!daemon.found) {
    return {
      available: false,
      detail: `no dockerd process serving ${daemon.socket} is visible in /proc (another PID namespace, or /proc mounted with hidepid), so whether it can grant ulimit rtprio is unknown`,
    };
  }
  if (daemon.rtprioHard === null) {
    return {
      available: false,
      detail: `/proc/${daemon.pid}/limits of the Docker daemon cannot be read, so whether it can grant ulimit rtprio is unknown`,
    };
  }
  if (daemon.rtprioHard > 0) {
    const limit = Number.isFinite(daemon.rtprioHard) ? `up to ${daemon.rtprioHard}` : "without limit";
    return {
      available: true,
      detail: `the Docker daemon's hard RLIMIT_RTPRIO is ${formatLimit(daemon.rtprioHard)}, so containers can get ulimit rtprio ${limit}`,
    };
  }
  // runc raises the container's limit itself; above the inherited hard limit that needs CAP_SYS_RESOURCE,
  // which a root dockerd on an ordinary host has even though systemd leaves the limit at 0.
  if (daemon.capSysResource === true) {
    return {
      available: true,
      detail: "the Docker daemon's hard RLIMIT_RTPRIO is 0 but it holds CAP_SYS_RESOURCE, so it can raise ulimit rtprio for containers",
    };
  }
  const why = daemon.capSysResource === false ? " and it lacks CAP_SYS_RESOURCE to raise it" : "";
  return {
    available: false,
    detail: `the Docker daemon's hard RLIMIT_RTPRIO is 0${why}, so ulimit rtprio cannot be granted`,
  };
}

/** /proc/PID/cmdline: NUL-separated arguments with a trailing NUL. */
export function parseCmdline(raw: string): string[] {
  const args = raw.split("\0");
  if (args.at(-1) === "") args.pop();
  return args;
}

export function isDockerd(argv: string[]): boolean {
  const program = argv[0];
  return program !== undefined && path.basename(program) === "dockerd";
}

/** Values of a long flag given as `--name=value` or `--name value`, in order. */
export function flagValues(argv: string[], names: string[]): string[] {
  const values: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    for (const name of names) {
      if (arg === name) {
        const next = argv[i + 1];
        if (next !== undefined) values.push(next);
        i++;
        break;
      }
      if (arg.startsWith(`${name}=`)) {
        values.push(arg.slice(name.length + 1));
        break;
      }
      // pflag also accepts a one-letter flag glued to its value: -Hunix:///run/docker.sock
      if (/^-[A-Za-z]$/.test(name) && arg.startsWith(name) && arg.length > name.length) {
        values.push(arg.slice(name.length));
        break;
      }
    }
  }
  return values;
}

export function flagValue(argv: string[], name: string): string | null {
  return flagValues(argv, [name]).at(-1) ?? null;
}

/** The unix sockets a dockerd listens on; its default socket when it names none. */
export function dockerdSockets(argv: string[]): string[] {
  const hosts = flagValues(argv, ["-H", "--host"]);
  if (hosts.length === 0) return [DEFAULT_DOCKER_SOCKET];
  return hosts.flatMap((host) => {
    // fd:// is systemd socket activation of the default socket.
    if (host.startsWith("fd://")) return [DEFAULT_DOCKER_SOCKET];
    if (host.startsWith("unix://")) return [host.slice("unix://".length) || DEFAULT_DOCKER_SOCKET];
    return [];
  });
}

/** /var/run is a symlink to /run on every current distribution. */
export function normalizeSocketPath(socketPath: string): string {
  const normalized = path.posix.normalize(socketPath);
  return normalized.startsWith("/var/run/") ? normalized.slice("/var".length) : normalized;
}

/**
 * The dockerd that serves one of `socketPaths`; failing that, the only dockerd
 * there is. Hosts set only in daemon.json are not matched by socket.
 */
export function findDockerd(processes: ProcessEntry[], socketPaths: string[]): ProcessEntry | null {
  const wanted = new Set(socketPaths.map(normalizeSocketPath));
  const serving = processes.find((entry) => dockerdSockets(entry.argv).some((socket) => wanted.has(normalizeSocketPath(socket))));
  if (serving) return serving;
  return processes.length === 1 ? (processes[0] ?? null) : null;
}

export function parseCpuRtRuntimeFlag(argv: string[]): number | null {
  const value = flagValue(argv, "--cpu-rt-runtime");
  return value === null ? null : parseIntStrict(value);
}

/** `cpu-rt-runtime` from daemon.json; null when absent or the file is not valid JSON. */
export function parseDaemonConfigCpuRtRuntime(json: string): number | null {
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof config !== "object" || config === null || !("cpu-rt-runtime" in config)) return null;
  const value = config["cpu-rt-runtime"];
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

/** The hard limit of "Max realtime priority" in /proc/PID/limits; Infinity for unlimited. */
export function parseRtprioHardLimit(limits: string): number | null {
  return parseHardLimit(limits, "Max realtime priority");
}

/** The hard limit on the line of /proc/PID/limits named `label` (e.g. "Max open files"); Infinity for unlimited. */
export function parseHardLimit(limits: string, label: string): number | null {
  const line = limits.split("\n").find((entry) => entry.startsWith(`${label} `));
  if (line === undefined) return null;
  const [, hard] = line.slice(label.length).trim().split(/\s+/);
  if (hard === "unlimited") return Infinity;
  return hard === undefined ? null : parseIntStrict(hard);
}

export function hasCapSysResource(status: string): boolean | null {
  const effective = parseCapabilitySet(status, "CapEff");
  return effective === null ? null : ((effective >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

/** One capability set of /proc/PID/status as a bit mask. */
export function parseCapabilitySet(status: string, set: "CapEff" | "CapBnd"): bigint | null {
  const match = new RegExp(`^${set}:\\s*([0-9a-f]+)\\s*$`, "m").exec(status);
  return match?.[1] ? BigInt(`0x${match[1]}`) : null;
}

/** Mount point of the cgroup v1 hierarchy holding the cpu controller, from /proc/self/mountinfo. */
export function findCgroupV1CpuMount(mountinfo: string): string | null {
  for (const line of mountinfo.split("\n")) {
    const [mountFields, fsFields] = line.split(" - ");
    if (mountFields === undefined || fsFields === undefined) continue;
    const [fsType, , superOptions = ""] = fsFields.split(" ");
    if (fsType !== "cgroup" || !superOptions.split(",").includes("cpu")) continue;
    const mountPoint = mountFields.split(" ")[4];
    // mountinfo escapes spaces and other specials as octal (\040).
    if (mountPoint !== undefined) return mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  }
  return null;
}

function parseIntStrict(value: string): number | null {
  const trimmed = value.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

function formatLimit(limit: number): string {
  return Number.isFinite(limit) ? String(limit) : "unlimited";
}
