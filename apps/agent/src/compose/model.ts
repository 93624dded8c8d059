import path from "node:path";

import { type RequestedGpus, type RequestedLimits, ulimitName } from "@wharf/agent-protocol";
import { parse } from "yaml";
import { z } from "zod";

import { AgentFailure } from "../failure";

/** What the agent needs to know about one service of a merged compose config. */
export interface ComposeService {
  name: string;
  image: string | null;
  /** Absolute context directory; null for a remote (git/URL) context. */
  build: { context: string | null; dockerfile: string | null; inline: boolean } | null;
  /** Containers compose starts for it (deploy.replicas or scale; 1 by default). */
  replicas: number;
  pullPolicy: string | null;
  limits: RequestedLimits;
}

// Merged configs differ between compose v1 and v2 (v2 prints memory as byte
// strings, v1 as written), and any field may have a shape this agent does not
// know: every field is read on its own and dropped when unreadable.
const lenient = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);
const numeric = z.union([z.number(), z.string()]);
const device = z.object({
  driver: lenient(z.string()),
  count: lenient(numeric),
  device_ids: lenient(z.array(z.string())),
  capabilities: lenient(z.array(z.string())),
});
const rawService = z.object({
  image: lenient(z.string()),
  build: lenient(
    z.union([
      z.string(),
      z.object({ context: lenient(z.string()), dockerfile: lenient(z.string()), dockerfile_inline: lenient(z.string()) }),
    ]),
  ),
  scale: lenient(z.number()),
  pull_policy: lenient(z.string()),
  mem_limit: lenient(numeric),
  mem_reservation: lenient(numeric),
  cpus: lenient(numeric),
  cpuset: lenient(numeric),
  cpu_rt_runtime: lenient(numeric),
  cpu_rt_period: lenient(numeric),
  ulimits: lenient(z.record(z.string(), z.union([numeric, z.object({ soft: numeric, hard: numeric })]))),
  cap_add: lenient(z.array(z.string())),
  gpus: lenient(z.union([z.string(), z.array(device)])),
  deploy: lenient(
    z.object({
      replicas: lenient(z.number()),
      resources: lenient(
        z.object({
          limits: lenient(z.object({ memory: lenient(numeric), cpus: lenient(numeric) })),
          reservations: lenient(z.object({ memory: lenient(numeric), devices: lenient(z.array(device)) })),
        }),
      ),
    }),
  ),
});
type RawService = z.infer<typeof rawService>;
const rawConfig = z.object({ services: z.record(z.string(), z.unknown()).nullish() });

/** Reads `compose config` output (v1 or v2). `dir` resolves relative build contexts. */
export function parseComposeModel(merged: string, dir: string): ComposeService[] {
  let document: unknown;
  try {
    document = parse(merged);
  } catch (error) {
    throw new AgentFailure("COMPOSE_FAILED", `compose config printed something that is not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const config = rawConfig.safeParse(document ?? {});
  if (!config.success) throw new AgentFailure("COMPOSE_FAILED", "compose config printed no services map");
  return Object.entries(config.data.services ?? {})
    .map(([name, value]) => {
      const parsed = rawService.safeParse(value ?? {});
      return toService(name, parsed.success ? parsed.data : {}, dir);
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function toService(name: string, raw: RawService, dir: string): ComposeService {
  return {
    name,
    image: raw.image ?? null,
    build: toBuild(raw.build, dir),
    replicas: raw.deploy?.replicas ?? raw.scale ?? 1,
    pullPolicy: raw.pull_policy ?? null,
    limits: limitsOf(raw),
  };
}

function toBuild(build: RawService["build"], dir: string): ComposeService["build"] {
  if (build === null || build === undefined) return null;
  const spec = typeof build === "string" ? { context: build, dockerfile: null, dockerfile_inline: null } : build;
  const context = spec.context ?? ".";
  // Remote contexts (git URLs, tarball URLs) have nothing to check on the host.
  const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith("git@");
  return {
    context: remote ? null : path.resolve(dir, context),
    dockerfile: spec.dockerfile ?? null,
    inline: spec.dockerfile_inline !== null && spec.dockerfile_inline !== undefined,
  };
}

function limitsOf(raw: RawService): RequestedLimits {
  const limits: RequestedLimits = {};
  const memory = bytesOf(raw.mem_limit) ?? bytesOf(raw.deploy?.resources?.limits?.memory);
  if (memory !== null) limits.memoryBytes = memory;
  const reservation = bytesOf(raw.mem_reservation) ?? bytesOf(raw.deploy?.resources?.reservations?.memory);
  if (reservation !== null) limits.memoryReservationBytes = reservation;
  const cpus = numberOf(raw.cpus) ?? numberOf(raw.deploy?.resources?.limits?.cpus);
  if (cpus !== null && cpus > 0) limits.cpus = cpus;
  if (raw.cpuset !== null && raw.cpuset !== undefined) limits.cpuset = String(raw.cpuset);
  const rtRuntime = microsecondsOf(raw.cpu_rt_runtime);
  if (rtRuntime !== null && rtRuntime > 0) limits.cpuRtRuntime = rtRuntime;
  const rtPeriod = microsecondsOf(raw.cpu_rt_period);
  if (rtPeriod !== null && rtPeriod > 0) limits.cpuRtPeriod = rtPeriod;
  const ulimits = ulimitsOf(raw.ulimits);
  if (Object.keys(ulimits).length > 0) limits.ulimits = ulimits;
  if (raw.cap_add && raw.cap_add.length > 0) limits.capAdd = raw.cap_add;
  const gpus = gpusOf(raw);
  if (gpus !== null) limits.gpus = gpus;
  return limits;
}

function ulimitsOf(raw: RawService["ulimits"]): NonNullable<RequestedLimits["ulimits"]> {
  const result: NonNullable<RequestedLimits["ulimits"]> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const parsed = ulimitName.safeParse(name);
    if (!parsed.success) continue;
    const soft = numberOf(typeof value === "object" ? value.soft : value);
    const hard = numberOf(typeof value === "object" ? value.hard : value);
    if (soft !== null && hard !== null) result[parsed.data] = { soft, hard };
  }
  return result;
}

/** GPUs from `deploy.resources.reservations.devices` (capability "gpu" or driver nvidia) and from `gpus:`. */
function gpusOf(raw: RawService): RequestedGpus | null {
  const devices = (raw.deploy?.resources?.reservations?.devices ?? []).filter(
    (entry) => entry.driver === "nvidia" || (entry.capabilities ?? []).includes("gpu"),
  );
  if (raw.gpus === "all") devices.push({ driver: null, count: "all", device_ids: null, capabilities: ["gpu"] });
  else if (Array.isArray(raw.gpus)) devices.push(...raw.gpus);
  if (devices.length === 0) return null;
  let count: number | "all" | undefined;
  const deviceIds: string[] = [];
  const capabilities = new Set<string>();
  for (const entry of devices) {
    const n = entry.count === "all" || entry.count === -1 || entry.count === "-1" ? "all" : numberOf(entry.count);
    if (n === "all" || count === "all") count = "all";
    else if (n !== null) count = (count ?? 0) + n;
    deviceIds.push(...(entry.device_ids ?? []));
    for (const capability of entry.capabilities ?? []) capabilities.add(capability);
  }
  // A device entry with neither count nor ids asks for all GPUs, as Docker reads it.
  if (count === undefined && deviceIds.length === 0) count = "all";
  return {
    ...(count === undefined ? {} : { count }),
    ...(deviceIds.length > 0 ? { deviceIds } : {}),
    ...(capabilities.size > 0 ? { capabilities: [...capabilities] } : {}),
  };
}

function numberOf(value: number | string | null | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's memory sizes: bytes, or a number with b, k, m, g or t (optionally followed by b); binary multiples. */
export function bytesOf(value: number | string | null | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.round(value) : null;
  if (typeof value !== "string") return null;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(value.trim());
  if (!match?.[1]) return null;
  const unit = BYTE_UNITS[(match[2] ?? "").toLowerCase()] ?? 1;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes > 0 ? bytes : null;
}

/** cpu_rt_runtime / cpu_rt_period: microseconds, or a duration such as 400ms or 1s. */
export function microsecondsOf(value: number | string | null | undefined): number | null {
  if (typeof value === "number") return Number.isInteger(value) ? value : null;
  if (typeof value !== "string") return null;
  const match = /^(\d+)(us|µs|ms|s)?$/.exec(value.trim());
  if (!match?.[1]) return null;
  const factor = { us: 1, µs: 1, ms: 1_000, s: 1_000_000 }[match[2] ?? "us"] ?? 1;
  return Number(match[1]) * factor;
}

/** The limits preflight checks: the merged config's, with the fields the control plane sent taking precedence. */
export function effectiveLimits(fromConfig: RequestedLimits, requested: RequestedLimits | undefined): RequestedLimits {
  if (requested === undefined) return fromConfig;
  const merged: RequestedLimits = { ...fromConfig };
  for (const [key, value] of Object.entries(requested) as [keyof RequestedLimits, unknown][]) {
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  if (fromConfig.ulimits !== undefined && requested.ulimits !== undefined) merged.ulimits = { ...fromConfig.ulimits, ...requested.ulimits };
  return merged;
}
