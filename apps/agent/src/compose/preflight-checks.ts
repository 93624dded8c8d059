import type { Capability, PreflightCheck, RequestedGpus, RequestedLimits, UlimitName } from "@wharf/agent-protocol";

/**
 * The preflight decisions, free of I/O: each takes what was asked and what
 * the host has, and says yes or, in one sentence, why not and what to do.
 */

export interface HostResources {
  /** The name messages use for the host. */
  host: string;
  cpus: number;
  memoryBytes: number;
  /** Online CPU numbers (from /sys/devices/system/cpu/online, else 0..cpus-1). */
  onlineCpus: number[];
  runtimes: string[];
  /** GPU numbers found as /dev/nvidiaN. */
  gpuDevices: number[];
  realtime: {
    capability: Capability;
    /** The daemon's --cpu-rt-runtime, when it grants real-time CPU. */
    budget: number | null;
  };
  /** The Docker daemon's bounding capability set; null when /proc does not show it. */
  daemonCapBnd: bigint | null;
}

/** "host h1 cannot grant ulimit rtprio=99: <why>; <what to do>". */
export function cannot(host: string, what: string, why: string, todo: string): string {
  return hostCannot(host, `grant ${what}`, why, todo);
}

/** The same sentence for other verbs: "host h1 cannot pull image x: ...". */
export function hostCannot(host: string, action: string, why: string, todo: string): string {
  return `host ${host} cannot ${action}: ${why}; ${todo}`;
}

export const pass = (service: string | null, check: PreflightCheck["check"], message: string): PreflightCheck => ({ service, check, ok: true, message });
export const fail = (service: string | null, check: PreflightCheck["check"], message: string): PreflightCheck => ({ service, check, ok: false, message });

/** The checks that need nothing but the service's limits and the host's numbers. */
export function resourceChecks(service: string, limits: RequestedLimits, host: HostResources): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  for (const [what, bytes] of [
    ["memory", limits.memoryBytes],
    ["memory reservation", limits.memoryReservationBytes],
  ] as const) {
    if (bytes === undefined) continue;
    checks.push(
      bytes <= host.memoryBytes
        ? pass(service, "memory", `${what} ${formatBytes(bytes)} fits the host's ${formatBytes(host.memoryBytes)}`)
        : fail(
            service,
            "memory",
            cannot(
              host.host,
              `${what}=${formatBytes(bytes)}`,
              `the host has ${formatBytes(host.memoryBytes)} of memory in total`,
              `lower the service's ${what} to at most ${formatBytes(host.memoryBytes)} or deploy to a larger host`,
            ),
          ),
    );
  }
  if (limits.cpus !== undefined) {
    checks.push(
      limits.cpus <= host.cpus
        ? pass(service, "cpus", `cpus=${limits.cpus} fits the host's ${host.cpus} CPUs`)
        : fail(
            service,
            "cpus",
            cannot(host.host, `cpus=${limits.cpus}`, `the host has ${host.cpus} CPUs`, `lower cpus to at most ${host.cpus} or deploy to a larger host`),
          ),
    );
  }
  if (limits.cpuset !== undefined) checks.push(cpusetCheck(service, limits.cpuset, host));
  if (limits.gpus !== undefined) checks.push(gpuCheck(service, limits.gpus, host));
  return checks;
}

function cpusetCheck(service: string, cpuset: string, host: HostResources): PreflightCheck {
  const wanted = parseCpuList(cpuset);
  const online = new Set(host.onlineCpus);
  const missing = wanted === null ? null : wanted.filter((cpu) => !online.has(cpu));
  if (missing !== null && missing.length === 0) return pass(service, "cpuset", `cpuset=${cpuset}: all these CPUs are online`);
  const why = missing === null ? `"${cpuset}" is not a CPU list` : `CPU${missing.length === 1 ? "" : "s"} ${formatCpuList(missing)} do${missing.length === 1 ? "es" : ""} not exist on it (online: ${formatCpuList(host.onlineCpus)})`;
  return fail(service, "cpuset", cannot(host.host, `cpuset=${cpuset}`, why, `use CPUs from ${formatCpuList(host.onlineCpus)}`));
}

const DEFAULT_RT_PERIOD = 1_000_000;

/**
 * cpu_rt_runtime against the daemon's budget. `probeError` is the failure of
 * a test container given that runtime (null: it started; undefined: not
 * probed), which catches a machine-wide budget already held by other cgroups.
 */
export function realtimeCheck(
  service: string,
  runtime: number,
  period: number | undefined,
  host: HostResources,
  probeError?: string | null,
): PreflightCheck {
  const what = `cpu_rt_runtime=${runtime}`;
  const { capability, budget } = host.realtime;
  if (!capability.available || budget === null) {
    return fail(
      service,
      "cpu-rt-runtime",
      cannot(host.host, what, capability.detail, `start dockerd with --cpu-rt-runtime=${runtime} or more, on a cgroup v1 host whose kernel has real-time group scheduling`),
    );
  }
  const effectivePeriod = period ?? DEFAULT_RT_PERIOD;
  if (runtime > effectivePeriod) {
    return fail(
      service,
      "cpu-rt-runtime",
      cannot(host.host, what, `it is longer than its period cpu_rt_period=${effectivePeriod}`, "make cpu_rt_runtime at most cpu_rt_period"),
    );
  }
  if (runtime > budget) {
    return fail(
      service,
      "cpu-rt-runtime",
      cannot(
        host.host,
        what,
        `the Docker daemon grants at most ${budget} µs of real-time CPU per period (--cpu-rt-runtime=${budget})`,
        `lower cpu_rt_runtime to at most ${budget} or restart dockerd with a larger --cpu-rt-runtime`,
      ),
    );
  }
  if (typeof probeError === "string") {
    return fail(
      service,
      "cpu-rt-runtime",
      cannot(
        host.host,
        what,
        `a test container with it failed (${runcReason(probeError)})`,
        "the machine-wide real-time budget (/proc/sys/kernel/sched_rt_runtime_us) may be held by other daemons or cgroups; lower their cpu.rt_runtime_us or dockerd's --cpu-rt-runtime",
      ),
    );
  }
  const proof = probeError === null ? "; a test container got it" : "";
  return pass(service, "cpu-rt-runtime", `${what} fits the Docker daemon's real-time budget of ${budget} µs per period${proof}`);
}

export interface RealtimeRequest {
  service: string;
  runtime: number;
  replicas: number;
}

/**
 * All real-time containers under one daemon share its budget: the kernel
 * refuses a container whose runtime would push the sum past it.
 */
export function realtimeBudgetCheck(stack: string, requests: RealtimeRequest[], heldByOthers: number, host: HostResources): PreflightCheck | null {
  const budget = host.realtime.budget;
  if (requests.length === 0 || budget === null || !host.realtime.capability.available) return null;
  const total = requests.reduce((sum, request) => sum + request.runtime * request.replicas, 0);
  const parts = requests.map((request) => `${request.service} ${request.runtime}${request.replicas > 1 ? ` × ${request.replicas}` : ""}`).join(", ");
  if (total + heldByOthers <= budget) {
    return pass(null, "cpu-rt-runtime", `stack ${stack} needs ${total} µs of real-time CPU per period (${parts}); ${budget - heldByOthers} of the daemon's ${budget} are free`);
  }
  return fail(
    null,
    "cpu-rt-runtime",
    cannot(
      host.host,
      `cpu_rt_runtime=${total} in total to stack ${stack} (${parts})`,
      `the Docker daemon's real-time budget is ${budget} µs per period and running containers of other stacks hold ${heldByOthers} µs of it`,
      "lower the services' cpu_rt_runtime, stop other real-time containers, or restart dockerd with a larger --cpu-rt-runtime",
    ),
  );
}

function gpuCheck(service: string, gpus: RequestedGpus, host: HostResources): PreflightCheck {
  const what = describeGpus(gpus);
  if (!host.runtimes.includes("nvidia")) {
    return fail(
      service,
      "gpus",
      cannot(
        host.host,
        what,
        "the host has no nvidia container runtime, so GPUs cannot be granted",
        "install the NVIDIA Container Toolkit, register its runtime with dockerd (nvidia-ctk runtime configure --runtime=docker) and restart dockerd",
      ),
    );
  }
  const found = host.gpuDevices.length;
  const missingIds = (gpus.deviceIds ?? []).filter((id) => /^\d+$/.test(id) && !host.gpuDevices.includes(Number(id)));
  if (missingIds.length > 0) {
    return fail(service, "gpus", cannot(host.host, what, `GPU ${missingIds.join(", ")} does not exist (found ${found})`, "ask for GPUs the host has"));
  }
  const count = gpus.count === "all" ? 1 : (gpus.count ?? 0);
  if (count > found) {
    return fail(service, "gpus", cannot(host.host, what, `the host has ${found} GPU${found === 1 ? "" : "s"}`, `ask for at most ${found} or deploy to a host with more GPUs`));
  }
  return pass(service, "gpus", `${what}: the nvidia runtime is registered and ${found} GPU${found === 1 ? " is" : "s are"} present`);
}

function describeGpus(gpus: RequestedGpus): string {
  if (gpus.deviceIds !== undefined && gpus.deviceIds.length > 0) return `GPUs ${gpus.deviceIds.join(", ")}`;
  if (gpus.count === "all" || gpus.count === undefined) return "all GPUs";
  return `${gpus.count} GPU${gpus.count === 1 ? "" : "s"}`;
}

// linux/capability.h, in bit order.
const CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
  "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
  "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
  "PERFMON", "BPF", "CHECKPOINT_RESTORE",
];

/** "sys_nice", "CAP_SYS_NICE" → "SYS_NICE". */
export function capabilityName(name: string): string {
  return name.toUpperCase().replace(/^CAP_/, "");
}

/**
 * cap_add: the name must exist, and the daemon must hold the capability in its
 * own bounding set (a rootless or confined dockerd cannot hand out what it
 * lacks). When /proc does not show the daemon, a test container decides:
 * `probeError` is its failure, null when it started.
 */
export function capAddCheck(service: string, requested: string[], host: HostResources, probeError: string | null): PreflightCheck {
  const names = requested.map(capabilityName).filter((name) => name !== "ALL");
  const what = `cap_add ${requested.join(", ")}`;
  const unknown = names.filter((name) => !CAPABILITIES.includes(name));
  if (unknown.length > 0) {
    return fail(service, "cap-add", cannot(host.host, what, `${unknown.join(", ")} ${unknown.length === 1 ? "is not a" : "are not"} Linux capabilit${unknown.length === 1 ? "y" : "ies"}`, "fix the capability names (e.g. SYS_NICE)"));
  }
  if (host.daemonCapBnd !== null) {
    const bounding = host.daemonCapBnd;
    const lacking = names.filter((name) => ((bounding >> BigInt(CAPABILITIES.indexOf(name))) & 1n) === 0n);
    if (lacking.length > 0) {
      return fail(
        service,
        "cap-add",
        cannot(
          host.host,
          what,
          `the Docker daemon itself lacks ${lacking.map((name) => `CAP_${name}`).join(", ")} (it runs rootless or confined)`,
          "run dockerd as root with the full capability set, or drop these from cap_add",
        ),
      );
    }
    return pass(service, "cap-add", `${what}: the Docker daemon holds ${names.length === 1 ? "it" : "them"}`);
  }
  if (probeError !== null) {
    return fail(service, "cap-add", cannot(host.host, what, `a test container with them failed: ${runcReason(probeError)}`, "drop these from cap_add or run dockerd with the full capability set"));
  }
  return pass(service, "cap-add", `${what}: granted to a test container`);
}

/** The line of /proc/PID/limits for each ulimit. */
export const PROC_LIMIT_LABEL: Record<UlimitName, string> = {
  as: "Max address space",
  core: "Max core file size",
  cpu: "Max cpu time",
  data: "Max data size",
  fsize: "Max file size",
  locks: "Max file locks",
  memlock: "Max locked memory",
  msgqueue: "Max msgqueue size",
  nice: "Max nice priority",
  nofile: "Max open files",
  nproc: "Max processes",
  rss: "Max resident set",
  rtprio: "Max realtime priority",
  rttime: "Max realtime timeout",
  sigpending: "Max pending signals",
  stack: "Max stack size",
};

// RLIMIT_* in number order (asm-generic/resource.h): runc names them by number, "error setting rlimit type 14".
const RLIMITS: UlimitName[] = [
  "cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime",
];

export function formatUlimit(name: UlimitName, value: { soft: number; hard: number }): string {
  return value.soft === value.hard ? `${name}=${value.soft}` : `${name}=${value.soft}:${value.hard}`;
}

/** How a test container with the ulimit fared: started (or got as far as exec), or failed with Docker's message. */
export type ProbeOutcome = { ok: true } | { ok: false; error: string };

/**
 * Turns a ulimit probe into a check. runc reports "error setting rlimit type
 * 14: operation not permitted" when the daemon cannot raise the limit; the
 * daemon's own hard limit (from /proc) says why.
 */
export function ulimitCheck(
  service: string,
  name: UlimitName,
  value: { soft: number; hard: number },
  outcome: ProbeOutcome,
  daemonHard: number | null,
  host: string,
): PreflightCheck {
  const what = `ulimit ${formatUlimit(name, value)}`;
  if (outcome.ok) return pass(service, "ulimit", `${what}: granted to a test container`);
  const rlimit = `RLIMIT_${name.toUpperCase()}`;
  const todo = `start dockerd with a higher ${name} limit (Limit${name.toUpperCase()}=infinity in its systemd unit)`;
  if (new RegExp(`rlimit type ${RLIMITS.indexOf(name)}\\b`).test(outcome.error)) {
    const why =
      daemonHard === null
        ? `the Docker daemon cannot raise ${rlimit} that far (runc: ${runcReason(outcome.error)})`
        : `the Docker daemon's hard ${rlimit} is ${Number.isFinite(daemonHard) ? daemonHard : "unlimited"}`;
    return fail(service, "ulimit", cannot(host, what, why, todo));
  }
  return fail(service, "ulimit", cannot(host, what, `a test container with it failed: ${runcReason(outcome.error)}`, todo));
}

const RUNTIME_WRAPPERS = /^(failed to create shim task|OCI runtime create failed|runc create failed|unable to start container process|error during container init|error setting rlimits for ready process): /;

/** A runc failure without Docker's and containerd's wrapping: "error setting rlimit type 14: operation not permitted". */
export function runcReason(error: string): string {
  let reason = error.trim().replace(/^\(HTTP code \d+\) [^-]+- /, "").replace(/: unknown$/, "");
  while (RUNTIME_WRAPPERS.test(reason)) reason = reason.replace(RUNTIME_WRAPPERS, "");
  return reason;
}

/** Docker's cpuset syntax ("0-3,5") as CPU numbers; null when malformed. */
export function parseCpuList(list: string): number[] | null {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match?.[1]) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from || to - from > 4096) return null;
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** [0,1,2,5] → "0-2,5". */
export function formatCpuList(cpus: number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const from = sorted[i] ?? 0;
    let to = from;
    while (sorted[i + 1] === to + 1) {
      to++;
      i++;
    }
    ranges.push(from === to ? String(from) : `${from}-${to}`);
    i++;
  }
  return ranges.join(",") || "none";
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} B`;
}
