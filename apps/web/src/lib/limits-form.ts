import type { HostFacts } from "@wharf/agent-protocol";
import { formatBytes, type ServiceLimits, serviceLimits } from "@wharf/api/lib/limits-override";

/** One service's runtime limits as the form edits them: text, empty meaning "not set". */
export interface LimitsFormValues {
  memory: string;
  memoryReservation: string;
  cpus: string;
  cpuset: string;
  gpuMode: "none" | "count" | "all" | "ids";
  gpuCount: string;
  gpuDeviceIds: string;
  gpuCapabilities: string;
  cpuRtRuntime: string;
  cpuRtPeriod: string;
  rtprioSoft: string;
  rtprioHard: string;
  memlockSoft: string;
  memlockHard: string;
  nofileSoft: string;
  nofileHard: string;
  capAdd: string;
  capDrop: string;
}

export type LimitsField = keyof LimitsFormValues;
export type LimitsErrors = Partial<Record<LimitsField, string>>;

export const EMPTY_LIMITS: LimitsFormValues = {
  memory: "",
  memoryReservation: "",
  cpus: "",
  cpuset: "",
  gpuMode: "none",
  gpuCount: "",
  gpuDeviceIds: "",
  gpuCapabilities: "",
  cpuRtRuntime: "",
  cpuRtPeriod: "",
  rtprioSoft: "",
  rtprioHard: "",
  memlockSoft: "",
  memlockHard: "",
  nofileSoft: "",
  nofileHard: "",
  capAdd: "",
  capDrop: "",
};

/** The ulimits with first-class fields; others set in the files still apply. */
export const FORM_ULIMITS = ["rtprio", "memlock", "nofile"] as const;
type FormUlimit = (typeof FORM_ULIMITS)[number];

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** "512m", "1.5g", "2GiB", "1073741824" → bytes (powers of 1024, as Docker reads them); null when unreadable. */
export function parseSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match?.[1]) return null;
  const unit = SIZE_UNITS[(match[2] ?? "").toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

const list = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

const ulimitText = (value: number): string => (value === -1 ? "unlimited" : String(value));

export function limitsToForm(limits: ServiceLimits | undefined): LimitsFormValues {
  if (!limits) return EMPTY_LIMITS;
  const gpus = limits.gpus;
  const ulimit = (name: FormUlimit) => limits.ulimits?.[name];
  return {
    memory: limits.memoryBytes === undefined ? "" : formatBytes(limits.memoryBytes),
    memoryReservation: limits.memoryReservationBytes === undefined ? "" : formatBytes(limits.memoryReservationBytes),
    cpus: limits.cpus === undefined ? "" : String(limits.cpus),
    cpuset: limits.cpuset ?? "",
    gpuMode: !gpus ? "none" : gpus.count === "all" ? "all" : gpus.deviceIds?.length ? "ids" : "count",
    gpuCount: typeof gpus?.count === "number" ? String(gpus.count) : "",
    gpuDeviceIds: gpus?.deviceIds?.join(", ") ?? "",
    gpuCapabilities: gpus?.capabilities?.join(", ") ?? "",
    cpuRtRuntime: limits.cpuRtRuntime === undefined ? "" : String(limits.cpuRtRuntime),
    cpuRtPeriod: limits.cpuRtPeriod === undefined ? "" : String(limits.cpuRtPeriod),
    rtprioSoft: ulimit("rtprio") ? ulimitText(ulimit("rtprio")?.soft ?? 0) : "",
    rtprioHard: ulimit("rtprio") ? ulimitText(ulimit("rtprio")?.hard ?? 0) : "",
    memlockSoft: ulimit("memlock") ? ulimitText(ulimit("memlock")?.soft ?? 0) : "",
    memlockHard: ulimit("memlock") ? ulimitText(ulimit("memlock")?.hard ?? 0) : "",
    nofileSoft: ulimit("nofile") ? ulimitText(ulimit("nofile")?.soft ?? 0) : "",
    nofileHard: ulimit("nofile") ? ulimitText(ulimit("nofile")?.hard ?? 0) : "",
    capAdd: limits.capAdd?.join(", ") ?? "",
    capDrop: limits.capDrop?.join(", ") ?? "",
  };
}

// Where the server's (and the shared schema's) issue paths land in the form.
const ISSUE_FIELD: Record<string, LimitsField> = {
  memoryBytes: "memory",
  memoryReservationBytes: "memoryReservation",
  cpus: "cpus",
  cpuset: "cpuset",
  gpus: "gpuCount",
  cpuRtRuntime: "cpuRtRuntime",
  cpuRtPeriod: "cpuRtPeriod",
  capAdd: "capAdd",
  capDrop: "capDrop",
};

function ulimitField(message: string, path: readonly PropertyKey[]): LimitsField {
  const name = FORM_ULIMITS.find((ulimit) => path.includes(ulimit) || message.includes(`ulimit ${ulimit}`)) ?? "nofile";
  return `${name}Soft`;
}

/** The form's values as the API's limits, or the first problem of each field (the server checks the same schema). */
export function formToLimits(values: LimitsFormValues, otherUlimits: ServiceLimits["ulimits"] = {}): { limits: ServiceLimits; errors: LimitsErrors } {
  const errors: LimitsErrors = {};
  const limits: ServiceLimits = {};
  const size = (field: LimitsField): number | undefined => {
    const text = values[field].trim();
    if (!text) return undefined;
    const bytes = parseSize(text);
    if (bytes === null) errors[field] = "Give a size such as 512m, 1.5g or 2GiB.";
    return bytes ?? undefined;
  };
  const integer = (field: LimitsField, options: { unlimited?: boolean } = {}): number | undefined => {
    const text = values[field].trim().toLowerCase();
    if (!text) return undefined;
    if (options.unlimited && (text === "unlimited" || text === "-1")) return -1;
    if (!/^\d+$/.test(text)) {
      errors[field] = options.unlimited ? "A whole number, or unlimited." : "A whole number.";
      return undefined;
    }
    return Number(text);
  };

  const memoryBytes = size("memory");
  if (memoryBytes !== undefined) limits.memoryBytes = memoryBytes;
  const reservation = size("memoryReservation");
  if (reservation !== undefined) limits.memoryReservationBytes = reservation;
  if (values.cpus.trim()) {
    const cpus = Number(values.cpus.trim());
    if (!Number.isFinite(cpus) || cpus <= 0) errors.cpus = "A number of CPUs above 0, e.g. 0.5 or 2.";
    else limits.cpus = cpus;
  }
  if (values.cpuset.trim()) limits.cpuset = values.cpuset.replace(/\s+/g, "");

  if (values.gpuMode !== "none") {
    const capabilities = list(values.gpuCapabilities);
    const gpus: NonNullable<ServiceLimits["gpus"]> = capabilities.length > 0 ? { capabilities } : {};
    if (values.gpuMode === "all") gpus.count = "all";
    if (values.gpuMode === "count") {
      const count = integer("gpuCount");
      if (count === 0) errors.gpuCount = "At least one GPU.";
      else if (count !== undefined) gpus.count = count;
      else errors.gpuCount ??= "How many GPUs?";
    }
    if (values.gpuMode === "ids") {
      const ids = list(values.gpuDeviceIds);
      if (ids.length === 0) errors.gpuDeviceIds = "List the device ids, e.g. 0, 1 or GPU-uuid.";
      else gpus.deviceIds = ids;
    }
    limits.gpus = gpus;
  }

  const runtime = integer("cpuRtRuntime");
  if (runtime !== undefined) limits.cpuRtRuntime = runtime;
  const period = integer("cpuRtPeriod");
  if (period !== undefined) limits.cpuRtPeriod = period;

  const ulimits: NonNullable<ServiceLimits["ulimits"]> = { ...otherUlimits };
  for (const name of FORM_ULIMITS) {
    const soft = integer(`${name}Soft`, { unlimited: true });
    const hard = integer(`${name}Hard`, { unlimited: true });
    // Compose wants both; one alone sets both, as `ulimit -n 1024` does.
    if (soft !== undefined || hard !== undefined) ulimits[name] = { soft: soft ?? hard ?? 0, hard: hard ?? soft ?? 0 };
    else delete ulimits[name];
  }
  if (Object.keys(ulimits).length > 0) limits.ulimits = ulimits;

  const capAdd = list(values.capAdd);
  if (capAdd.length > 0) limits.capAdd = capAdd;
  const capDrop = list(values.capDrop);
  if (capDrop.length > 0) limits.capDrop = capDrop;

  const checked = serviceLimits.safeParse(limits);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const key = String(issue.path[0] ?? "");
      const field = key === "ulimits" ? ulimitField(issue.message, issue.path) : ISSUE_FIELD[key];
      if (field) errors[field] ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
    }
    return { limits, errors };
  }
  return { limits: checked.data, errors };
}

/** Whether a service asks for any limit. */
export function hasLimits(limits: ServiceLimits | undefined): boolean {
  return Boolean(limits && Object.keys(limits).length > 0);
}

/** A target host and what its last facts say it can grant (null before any were read). */
export interface TargetCapabilities {
  hostName: string;
  capabilities: HostFacts["capabilities"] | null;
}

const asksFor = (value: string): boolean => value.trim() !== "" && value.trim() !== "0";

/**
 * The limits a target host already said it cannot grant, as the user types:
 * preflight would refuse the deploy on the same grounds.
 */
export function hostLimitWarnings(values: LimitsFormValues, hosts: TargetCapabilities[]): string[] {
  return hosts.flatMap(({ hostName, capabilities }) => {
    if (!capabilities) return [];
    return [
      ...((asksFor(values.rtprioSoft) || asksFor(values.rtprioHard)) && !capabilities.rtprio.available
        ? [`${hostName} cannot grant ulimit rtprio: ${capabilities.rtprio.detail}.`]
        : []),
      ...(asksFor(values.cpuRtRuntime) && !capabilities.realtimeCpu.available ? [`${hostName} cannot grant cpu_rt_runtime: ${capabilities.realtimeCpu.detail}.`] : []),
      ...(values.gpuMode !== "none" && !capabilities.nvidiaRuntime.available ? [`${hostName} cannot give containers GPUs: ${capabilities.nvidiaRuntime.detail}.`] : []),
    ];
  });
}
