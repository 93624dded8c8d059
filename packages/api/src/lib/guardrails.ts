import path from "node:path";

import type { Role } from "@wharf/db";
import { parse } from "yaml";
import { z } from "zod";

/**
 * Compose guardrails: which roles may use the compose features that reach
 * through to the host. Pure: the services read a policy and a merged config
 * (`compose config` output) and pass them here.
 */
export const GUARDRAIL_RULES = [
  "privileged",
  "bind-mount",
  "docker-socket",
  "cap-add",
  "host-network",
  "host-pid",
  "host-ipc",
  "host-userns",
  "devices",
  "gpus",
  "realtime-cpu",
  "rtprio",
  "security-opt",
] as const;
export const guardrailRule = z.enum(GUARDRAIL_RULES, { error: (issue) => `There is no guardrail rule named ${String(issue.input)}: use one of ${GUARDRAIL_RULES.join(", ")}.` });
export type GuardrailRule = z.infer<typeof guardrailRule>;

export const RULE_TITLES: Record<GuardrailRule, string> = {
  privileged: "privileged mode",
  "bind-mount": "host bind mounts outside the allowed paths",
  "docker-socket": "the Docker socket",
  "cap-add": "cap_add beyond the allowed capabilities",
  "host-network": "the host's network (network_mode: host)",
  "host-pid": "the host's process namespace (pid: host)",
  "host-ipc": "the host's IPC namespace (ipc: host)",
  "host-userns": "the host's user namespace (userns_mode: host)",
  devices: "host devices",
  gpus: "GPUs",
  "realtime-cpu": "real-time CPU (cpu_rt_runtime, cpu_rt_period)",
  rtprio: "the rtprio ulimit",
  "security-opt": "security_opt",
};

const roles = z.array(z.enum(["OWNER", "ADMIN", "DEPLOYER", "VIEWER"])).max(4);
const capability = z
  .string()
  .regex(/^[A-Za-z_]{1,40}$/, "a capability is a name such as NET_BIND_SERVICE")
  .transform((name) => name.toUpperCase().replace(/^CAP_/, ""));
const hostPath = z
  .string()
  .regex(/^\/[^\0]*$/, "an allowed path is absolute, e.g. /srv")
  .max(4096)
  .transform((value) => path.posix.normalize(value).replace(/(.)\/$/, "$1"));

export const guardrailPolicy = z.object({
  /** Per rule, the roles that may use the feature at all. */
  allow: z.object(Object.fromEntries(GUARDRAIL_RULES.map((rule) => [rule, roles])) as Record<GuardrailRule, typeof roles>),
  /** Bind mounts anyone may use: these host paths and below (a stack's own directory always counts). */
  bindMountPrefixes: z.array(hostPath).max(50),
  /** Capabilities anyone may add. */
  capAddAllowed: z.array(capability).max(64),
});
export type GuardrailPolicy = z.infer<typeof guardrailPolicy>;

const ADMINS: Role[] = ["OWNER", "ADMIN"];

/**
 * For a team or environment without its own policy: owners and admins may use
 * everything; deployers and viewers none of it, except bind mounts under /srv
 * (and the stack's own directory) and NET_BIND_SERVICE.
 */
export const DEFAULT_GUARDRAIL_POLICY: GuardrailPolicy = {
  allow: Object.fromEntries(GUARDRAIL_RULES.map((rule) => [rule, ADMINS])) as Record<GuardrailRule, Role[]>,
  bindMountPrefixes: ["/srv"],
  capAddAllowed: ["NET_BIND_SERVICE"],
};

/** Reads a stored policy; rules added since it was saved take their default. */
export function readPolicy(stored: unknown): GuardrailPolicy {
  const value = typeof stored === "object" && stored !== null ? (stored as Partial<GuardrailPolicy>) : {};
  const parsed = guardrailPolicy.safeParse({ ...DEFAULT_GUARDRAIL_POLICY, ...value, allow: { ...DEFAULT_GUARDRAIL_POLICY.allow, ...value.allow } });
  return parsed.success ? parsed.data : DEFAULT_GUARDRAIL_POLICY;
}

export interface GuardrailViolation {
  service: string;
  /** The compose key, with the offending value: "volumes: /etc", "cap_add: SYS_ADMIN". */
  key: string;
  rule: GuardrailRule;
  message: string;
}

export interface GuardrailSubject {
  policy: GuardrailPolicy;
  role: Role;
  /** Rules an admin waived for this stack. */
  waived: ReadonlySet<GuardrailRule>;
  /** Whether a normalized absolute host path is inside the stack's own project directory. */
  insideProject: (source: string) => boolean;
  /** Names the policy in messages, e.g. "production". */
  scope: string;
}

const SOCKET_DIRS = new Set(["/run", "/var/run", "/run/docker", "/var/run/docker"]);

const record = z.record(z.string(), z.unknown());
const list = z.array(z.unknown());

function asRecord(value: unknown): Record<string, unknown> {
  const parsed = record.safeParse(value);
  return parsed.success ? parsed.data : {};
}
function asList(value: unknown): unknown[] {
  const parsed = list.safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** A bind mount's host path from either syntax: v2's long form ({ type: bind, source }) or v1's "src:dst:mode". */
function bindSource(volume: unknown): string | null {
  if (typeof volume === "string") {
    const source = volume.split(":")[0] ?? "";
    return source.startsWith("/") ? source : null;
  }
  const entry = asRecord(volume);
  return entry.type === "bind" && typeof entry.source === "string" ? entry.source : null;
}

function underAny(source: string, prefixes: string[]): boolean {
  return prefixes.some((prefix) => prefix === "/" || source === prefix || source.startsWith(`${prefix}/`));
}

function isDockerSocket(source: string): boolean {
  return path.posix.basename(source).startsWith("docker.sock") || SOCKET_DIRS.has(source);
}

function nonEmpty(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== "" && !(Array.isArray(value) && value.length === 0);
}

/** Every use of a guarded feature by one service, before the policy is applied. */
function usesOf(raw: Record<string, unknown>, subject: GuardrailSubject): { rule: GuardrailRule; key: string }[] {
  const uses: { rule: GuardrailRule; key: string }[] = [];
  if (raw.privileged === true || raw.privileged === "true") uses.push({ rule: "privileged", key: "privileged: true" });
  for (const volume of asList(raw.volumes)) {
    const source = bindSource(volume);
    if (source === null) continue;
    const normalized = path.posix.normalize(source).replace(/(.)\/$/, "$1");
    if (isDockerSocket(normalized)) uses.push({ rule: "docker-socket", key: `volumes: ${normalized}` });
    else if (!subject.insideProject(normalized) && !underAny(normalized, subject.policy.bindMountPrefixes)) uses.push({ rule: "bind-mount", key: `volumes: ${normalized}` });
  }
  for (const cap of asList(raw.cap_add)) {
    const name = String(cap).toUpperCase().replace(/^CAP_/, "");
    if (!subject.policy.capAddAllowed.includes(name)) uses.push({ rule: "cap-add", key: `cap_add: ${name}` });
  }
  const modes: [string, GuardrailRule][] = [
    ["network_mode", "host-network"],
    ["pid", "host-pid"],
    ["ipc", "host-ipc"],
    ["userns_mode", "host-userns"],
  ];
  for (const [key, rule] of modes) if (raw[key] === "host") uses.push({ rule, key: `${key}: host` });
  if (nonEmpty(raw.devices)) uses.push({ rule: "devices", key: "devices" });
  if (nonEmpty(raw.device_cgroup_rules)) uses.push({ rule: "devices", key: "device_cgroup_rules" });
  if (nonEmpty(raw.gpus)) uses.push({ rule: "gpus", key: "gpus" });
  const reserved = asRecord(asRecord(asRecord(raw.deploy).resources).reservations).devices;
  if (nonEmpty(reserved)) uses.push({ rule: "gpus", key: "deploy.resources.reservations.devices" });
  for (const key of ["cpu_rt_runtime", "cpu_rt_period"]) if (nonEmpty(raw[key])) uses.push({ rule: "realtime-cpu", key });
  if (asRecord(raw.ulimits).rtprio !== undefined) uses.push({ rule: "rtprio", key: "ulimits.rtprio" });
  for (const option of asList(raw.security_opt)) uses.push({ rule: "security-opt", key: `security_opt: ${String(option)}` });
  return uses;
}

function describeRoles(allowed: Role[]): string {
  return allowed.length === 0 ? "no role" : `only ${allowed.map((role) => role.toLowerCase()).join(", ")}`;
}

/** The guarded features a merged compose config uses that the subject's role may not, sorted by service. */
export function evaluateGuardrails(config: unknown, subject: GuardrailSubject): GuardrailViolation[] {
  const services = asRecord(asRecord(config).services);
  const violations: GuardrailViolation[] = [];
  for (const name of Object.keys(services).sort()) {
    for (const use of usesOf(asRecord(services[name]), subject)) {
      const allowed = subject.policy.allow[use.rule];
      if (allowed.includes(subject.role) || subject.waived.has(use.rule)) continue;
      violations.push({
        service: name,
        key: use.key,
        rule: use.rule,
        message: `service ${name}: ${use.key} is refused by guardrail ${use.rule} (${subject.scope}: ${describeRoles(allowed)} may use ${RULE_TITLES[use.rule]}, you are ${subject.role.toLowerCase()}); change the file, or ask an admin for an exception on this stack`,
      });
    }
  }
  return violations;
}

/** `compose config` output as a document; unreadable text yields no services (compose itself reports it). */
export function parseMerged(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return {};
  }
}

/** A host path inside `<home>/<agentDir>/stacks/<stack>`, where the agent keeps the stack's files (relative binds land there). */
export function projectDirMatcher(agentDir: string, stackName: string): (source: string) => boolean {
  const dir = agentDir.replace(/^\/+|\/+$/g, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^/(?:[^/]+/)*${dir}/stacks/${stackName}(?:/.*)?$`);
  return (source) => !source.split("/").includes("..") && pattern.test(source);
}
