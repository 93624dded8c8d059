import { composeServiceName, type RequestedLimits, requestedLimits } from "@wharf/agent-protocol";
import { Document } from "yaml";
import { z } from "zod";

/** The generated override's path in the project: last `-f`, outside the agent's reserved `.wharf*` names. */
export const LIMITS_OVERRIDE_PATH = "wharf.limits.yaml";

const MIB = 1024 ** 2;
/** Docker refuses smaller memory limits ("Minimum memory limit allowed is 6MB"). */
const MIN_MEMORY_BYTES = 6 * MIB;
const DEFAULT_RT_PERIOD = 1_000_000;

/** "cap_sys_nice", "CAP_SYS_NICE" and "SYS_NICE" all name one capability: stored as "SYS_NICE". */
const capabilityList = z
  .array(z.string().regex(/^[A-Za-z_]{1,40}$/, "a capability is a name such as SYS_NICE or NET_ADMIN"))
  .max(64)
  .transform((names) => [...new Set(names.map((name) => name.toUpperCase().replace(/^CAP_/, "")))]);

/**
 * Runtime limits of one service: the agent's `requestedLimits` (what preflight
 * checks) plus cap_drop, which needs no host capability.
 */
export const serviceLimits = requestedLimits
  .extend({ capAdd: capabilityList.optional(), capDrop: capabilityList.optional() })
  .superRefine((limits, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (limits.memoryBytes !== undefined && limits.memoryBytes < MIN_MEMORY_BYTES) issue("memoryBytes", "a memory limit must be at least 6 MiB (Docker's minimum)");
    if (limits.memoryBytes !== undefined && limits.memoryReservationBytes !== undefined && limits.memoryReservationBytes > limits.memoryBytes) {
      issue("memoryReservationBytes", "the memory reservation must not exceed the memory limit");
    }
    if (limits.gpus) {
      const hasCount = limits.gpus.count !== undefined;
      const hasIds = (limits.gpus.deviceIds?.length ?? 0) > 0;
      if (hasCount === hasIds) issue("gpus", "ask for GPUs either by count (a number or all) or by device ids, not both or neither");
    }
    if (limits.cpuRtRuntime !== undefined && limits.cpuRtRuntime > (limits.cpuRtPeriod ?? DEFAULT_RT_PERIOD)) {
      issue("cpuRtRuntime", `the real-time runtime cannot exceed its period (${limits.cpuRtPeriod ?? DEFAULT_RT_PERIOD} µs)`);
    }
    if (limits.cpuRtPeriod !== undefined && limits.cpuRtRuntime === undefined) issue("cpuRtPeriod", "a real-time period needs a real-time runtime");
    for (const [name, value] of Object.entries(limits.ulimits ?? {})) {
      if (value.hard !== -1 && (value.soft === -1 || value.soft > value.hard)) issue("ulimits", `ulimit ${name}: the soft limit must not exceed the hard limit`);
    }
    const both = (limits.capAdd ?? []).filter((cap) => limits.capDrop?.includes(cap));
    if (both.length > 0) issue("capDrop", `${both.join(", ")} cannot be both added and dropped`);
  });
export type ServiceLimits = z.infer<typeof serviceLimits>;

export const stackLimits = z.record(composeServiceName, serviceLimits);
export type StackLimits = z.infer<typeof stackLimits>;

/** What preflight checks for each service (cap_drop needs nothing from the host). */
export function toRequestedLimits(limits: StackLimits): Record<string, RequestedLimits> {
  return Object.fromEntries(Object.entries(limits).map(([service, { capDrop: _dropped, ...requested }]) => [service, requested]));
}

/** Docker's size syntax with the largest binary unit that is exact: 512m, 1g, 1536k, or bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["g", 1024 ** 3],
    ["m", MIB],
    ["k", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function gpuDevice(gpus: NonNullable<ServiceLimits["gpus"]>): Record<string, unknown> {
  return {
    driver: "nvidia",
    ...(gpus.count !== undefined ? { count: gpus.count } : {}),
    ...(gpus.deviceIds?.length ? { device_ids: gpus.deviceIds } : {}),
    capabilities: gpus.capabilities?.length ? gpus.capabilities : ["gpu"],
  };
}

function serviceOverride(limits: ServiceLimits): Record<string, unknown> {
  const resourceLimits = {
    ...(limits.memoryBytes !== undefined ? { memory: formatBytes(limits.memoryBytes) } : {}),
    ...(limits.cpus !== undefined ? { cpus: limits.cpus } : {}),
  };
  const reservations = {
    ...(limits.memoryReservationBytes !== undefined ? { memory: formatBytes(limits.memoryReservationBytes) } : {}),
    ...(limits.gpus ? { devices: [gpuDevice(limits.gpus)] } : {}),
  };
  const resources = {
    ...(Object.keys(resourceLimits).length > 0 ? { limits: resourceLimits } : {}),
    ...(Object.keys(reservations).length > 0 ? { reservations } : {}),
  };
  const ulimits = Object.entries(limits.ulimits ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return {
    ...(Object.keys(resources).length > 0 ? { deploy: { resources } } : {}),
    ...(limits.cpuset !== undefined ? { cpuset: limits.cpuset } : {}),
    ...(limits.cpuRtRuntime !== undefined ? { cpu_rt_runtime: limits.cpuRtRuntime } : {}),
    ...(limits.cpuRtPeriod !== undefined ? { cpu_rt_period: limits.cpuRtPeriod } : {}),
    ...(ulimits.length > 0 ? { ulimits: Object.fromEntries(ulimits.map(([name, value]) => [name, { soft: value.soft, hard: value.hard }])) } : {}),
    ...(limits.capAdd?.length ? { cap_add: limits.capAdd } : {}),
    ...(limits.capDrop?.length ? { cap_drop: limits.capDrop } : {}),
  };
}

/**
 * The compose override carrying the stack's runtime limits, passed as the
 * last `-f` so it wins over the user's files (which are never rewritten).
 * Uses fields compose v2 and v1 (1.27+) both read. Null when no service has a limit.
 */
export function renderLimitsOverride(limits: StackLimits): string | null {
  const services = Object.entries(limits)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, service]) => [name, serviceOverride(service)] as const)
    .filter(([, override]) => Object.keys(override).length > 0);
  if (services.length === 0) return null;
  const document = new Document({ services: Object.fromEntries(services) });
  document.commentBefore = " Generated by Wharf from the stack's runtime limits: edit the limits, not this file.";
  return document.toString({ lineWidth: 0 });
}
