import Docker from "dockerode";
import { z } from "zod";

import type { DockerEndpoint } from "../env";
import { AgentFailure } from "../failure";

/** How long one request/response Docker call may take before the agent reports the daemon as unresponsive. */
export const DOCKER_CALL_TIMEOUT_MS = 30_000;

/** The agent's one Docker client, talking to DOCKER_HOST. */
export function createDockerClient(endpoint: DockerEndpoint): Docker {
  // docker-modem merges defaults derived from DOCKER_* variables under these
  // options; every field it would take from there is set here explicitly.
  const fromEnvironment = { timeout: undefined, ca: undefined, cert: undefined, key: undefined };
  if (endpoint.kind === "unix") {
    return new Docker({ ...fromEnvironment, socketPath: endpoint.socketPath, host: undefined, port: undefined });
  }
  return new Docker({ ...fromEnvironment, host: endpoint.host, port: endpoint.port, protocol: "http" });
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === "unix" ? endpoint.socketPath : `tcp://${endpoint.host}:${endpoint.port}`;
}

/**
 * Docker's answers are checked against the fields the agent reads: dockerode's
 * typings claim more than the API guarantees (null labels, absent fields on
 * older engines).
 */
export function parseDockerResponse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AgentFailure("INTERNAL", `Docker returned an unexpected ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Docker's RFC 3339 timestamps (nanosecond precision) as ISO strings; unparsable ones as given. */
export function isoTimestamp(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

export function isoFromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
