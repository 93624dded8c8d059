// The only module that reads process.env: everything else receives an AgentEnv.
import os from "node:os";

import { PROJECT_LOCK_WAIT_MS } from "@wharf/agent-protocol";
import { z } from "zod";

export const logLevels = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

export type DockerEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number };

export interface AgentEnv {
  /** DOCKER_HOST as configured (or the default), quoted in messages. */
  dockerHost: string;
  docker: DockerEndpoint;
  logLevel: LogLevel;
  /** Environment for child processes such as the docker CLI. */
  childEnv: Record<string, string>;
  /** How long a job waits for another job on the same project before CONFLICT. */
  lockWaitMs: number;
}

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
// An agent started through `env -i` or a bare ssh command may have no PATH;
// the docker CLI lives in one of these on every supported distribution.
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const rawEnv = z.object({
  DOCKER_HOST: z.string().trim().min(1).optional(),
  WHARF_AGENT_LOG_LEVEL: z.enum(logLevels).default("info"),
  PATH: z.string().min(1).optional(),
  HOME: z.string().min(1).optional(),
  // Tests shorten it; the control plane's timeouts assume the default.
  WHARF_AGENT_LOCK_WAIT_MS: z.coerce.number().int().min(0).max(PROJECT_LOCK_WAIT_MS).default(PROJECT_LOCK_WAIT_MS),
});

/** Parses DOCKER_HOST: the agent runs on the Docker host itself, so only unix and plain tcp make sense. */
export function parseDockerHost(value: string): DockerEndpoint {
  if (value.startsWith("/")) return { kind: "unix", socketPath: value };
  const match = /^([a-z]+):\/\/(.*)$/.exec(value);
  const scheme = match?.[1];
  const rest = match?.[2] ?? "";
  if (scheme === "unix") {
    if (!rest.startsWith("/")) throw new Error(`DOCKER_HOST=${value} must name an absolute socket path, e.g. unix:///var/run/docker.sock`);
    return { kind: "unix", socketPath: rest };
  }
  if (scheme === "tcp") {
    const url = new URL(`http://${rest}`);
    const port = url.port === "" ? 2375 : Number(url.port);
    if (url.hostname === "" || url.pathname !== "/") throw new Error(`DOCKER_HOST=${value} must look like tcp://127.0.0.1:2375`);
    // URL keeps the brackets of an IPv6 literal; net.connect wants the bare address.
    return { kind: "tcp", host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
  }
  throw new Error(`DOCKER_HOST=${value} is not supported by the Wharf agent: use unix:///path/to/docker.sock or tcp://host:port`);
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): AgentEnv {
  const parsed = rawEnv.safeParse(source);
  if (!parsed.success) throw new Error(`invalid agent environment: ${z.prettifyError(parsed.error)}`);
  const env = parsed.data;
  const dockerHost = env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined) childEnv[key] = value;
  childEnv.PATH = env.PATH ?? DEFAULT_PATH;
  childEnv.HOME = env.HOME ?? os.userInfo().homedir;
  return { dockerHost, docker: parseDockerHost(dockerHost), logLevel: env.WHARF_AGENT_LOG_LEVEL, childEnv, lockWaitMs: env.WHARF_AGENT_LOCK_WAIT_MS };
}

/**
 * The environment of the background agent `start` launches: its own V8 and
 * malloc kept small. An agent idles most of its life on hosts that run other
 * things; V8's default young generation grows to 32 MiB under a log burst
 * and glibc keeps one arena per thread, and neither is given back while idle.
 */
export function daemonEnv(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const nodeOptions = [source.NODE_OPTIONS, "--max-semi-space-size=1"].filter(Boolean).join(" ");
  return { ...source, NODE_OPTIONS: nodeOptions, MALLOC_ARENA_MAX: source.MALLOC_ARENA_MAX ?? "2" };
}
