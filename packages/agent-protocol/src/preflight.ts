import { z } from "zod";

import { composeRunner } from "./compose-config";
import { composeProject, composeServiceName } from "./compose-project";
import { registryAuths } from "./registry-auth";

export const ulimitName = z.enum([
  "as",
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
]);
export type UlimitName = z.infer<typeof ulimitName>;

/** -1 is "unlimited", as compose and Docker take it. */
const ulimitValue = z.number().int().min(-1);

export const requestedGpus = z.object({
  count: z.union([z.number().int().positive(), z.literal("all")]).optional(),
  deviceIds: z.array(z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/)).max(64).optional(),
  capabilities: z.array(z.string().regex(/^[a-z0-9_]{1,64}$/)).max(16).optional(),
});
export type RequestedGpus = z.infer<typeof requestedGpus>;

/** The runtime limits one service asks for; preflight also reads them from the merged compose config. */
export const requestedLimits = z.object({
  memoryBytes: z.number().int().positive().optional(),
  memoryReservationBytes: z.number().int().positive().optional(),
  cpus: z.number().positive().optional(),
  /** Docker's cpuset syntax: "0-3", "0,2,4-5". */
  cpuset: z
    .string()
    .regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, "a cpuset looks like 0-3 or 0,2,4-5")
    .optional(),
  gpus: requestedGpus.optional(),
  /** Microseconds of real-time CPU per period. */
  cpuRtRuntime: z.number().int().positive().optional(),
  cpuRtPeriod: z.number().int().positive().optional(),
  ulimits: z.partialRecord(ulimitName, z.object({ soft: ulimitValue, hard: ulimitValue })).optional(),
  /** Capability names with or without CAP_, any case: "SYS_NICE", "cap_sys_nice". */
  capAdd: z.array(z.string().regex(/^[A-Za-z_]{1,40}$/)).max(64).optional(),
});
export type RequestedLimits = z.infer<typeof requestedLimits>;

/**
 * `preflight`: whether this host can run the project with the limits it asks
 * for, checked for real (the rtprio/ulimit checks start a throwaway container).
 * Writes the project's files first (build contexts are looked up there); an
 * invalid project fails with COMPOSE_INVALID as `composeConfig` does.
 */
export const preflightParams = z.object({
  project: composeProject,
  /** Limits by service, overriding what the merged config says for the same fields. */
  limits: z.object({ services: z.record(composeServiceName, requestedLimits) }).default({ services: {} }),
  /** The name the control plane knows this host by, used in messages; default: the host's hostname. */
  hostLabel: z.string().min(1).max(253).optional(),
  /** Logins the image check asks registries with (for this call only), as compose will pull with them. */
  registryAuths: registryAuths.optional(),
});
export type PreflightParams = z.input<typeof preflightParams>;

export const preflightCheckKind = z.enum([
  "memory",
  "cpus",
  "cpuset",
  "cpu-rt-runtime",
  "ulimit",
  "gpus",
  "cap-add",
  "image",
  "build-context",
]);
export type PreflightCheckKind = z.infer<typeof preflightCheckKind>;

export const preflightCheck = z.object({
  /** Null for checks about the project as a whole (e.g. the real-time CPU budget all services share). */
  service: z.string().nullable(),
  check: preflightCheckKind,
  ok: z.boolean(),
  /** On failure: "host <name> cannot grant <what>: <why>; <what to do>". */
  message: z.string(),
});
export type PreflightCheck = z.infer<typeof preflightCheck>;

export const preflightResult = z.object({
  /** True when every check passed: a deploy may go ahead. */
  ok: z.boolean(),
  host: z.string(),
  checks: z.array(preflightCheck),
  /** What `compose config` printed for the project, i.e. what a deploy right after runs: recorded with it, saving a second compose run. */
  merged: z.string(),
  compose: composeRunner,
});
export type PreflightResult = z.infer<typeof preflightResult>;
