import { readFileSync, statSync } from "node:fs";
import os from "node:os";

import type { DockerEndpoint } from "../env";
import { AgentFailure } from "../failure";
import { describeEndpoint,DOCKER_CALL_TIMEOUT_MS } from "./client";

interface ErrnoLike {
  code?: unknown;
  syscall?: unknown;
  statusCode?: unknown;
  json?: unknown;
  name?: unknown;
  message?: unknown;
}

/**
 * Turns whatever a Docker call threw into the failure the control plane shows:
 * socket errors become DOCKER_UNAVAILABLE / DOCKER_PERMISSION_DENIED with a
 * sentence that says what to do, HTTP errors keep Docker's own message.
 */
export function dockerFailure(error: unknown, endpoint: DockerEndpoint): AgentFailure {
  if (error instanceof AgentFailure) return error;
  const where = describeEndpoint(endpoint);
  const err: ErrnoLike = typeof error === "object" && error !== null ? error : { message: String(error) };
  const message = typeof err.message === "string" ? err.message : String(error);

  if (err.name === "AbortError" || err.code === "ABORT_ERR") {
    return new AgentFailure(
      "DOCKER_UNAVAILABLE",
      `the Docker daemon at ${where} did not answer within ${DOCKER_CALL_TIMEOUT_MS / 1000} s`,
    );
  }
  if (typeof err.statusCode === "number") {
    const dockerMessage = dockerErrorMessage(err.json) ?? message;
    if (err.statusCode === 404) return new AgentFailure("NOT_FOUND", dockerMessage);
    // In use, not running, already paused: the object's state refuses the action.
    if (err.statusCode === 409) return new AgentFailure("CONFLICT", dockerMessage);
    return new AgentFailure("INTERNAL", `Docker answered HTTP ${err.statusCode}: ${dockerMessage}`);
  }
  switch (err.code) {
    case "ENOENT":
    case "ECONNREFUSED":
      if (err.syscall !== "connect") break;
      return new AgentFailure(
        "DOCKER_UNAVAILABLE",
        `Docker is not running or not installed on this host: no daemon answers at ${where}`,
      );
    case "EACCES":
    case "EPERM":
      if (err.syscall !== "connect") break;
      return new AgentFailure("DOCKER_PERMISSION_DENIED", permissionDeniedMessage(where, endpoint));
    case "ECONNRESET":
    case "EPIPE":
      return new AgentFailure(
        "DOCKER_UNAVAILABLE",
        `the Docker daemon at ${where} closed the connection (is it restarting?)`,
      );
  }
  return new AgentFailure("INTERNAL", message);
}

function permissionDeniedMessage(where: string, endpoint: DockerEndpoint): string {
  const group = endpoint.kind === "unix" ? socketGroupName(endpoint.socketPath) : null;
  const groupHint = group === null ? "(usually docker)" : `(${group})`;
  return `user ${currentUserName()} cannot access the Docker socket ${where} (permission denied): add the user to the socket's group ${groupHint} and reconnect`;
}

/** Docker's own message from a dockerode error, else the error's. */
export function dockerMessage(error: unknown): string {
  const json = typeof error === "object" && error !== null && "json" in error ? error.json : undefined;
  return dockerErrorMessage(json)?.trim() ?? (error instanceof Error ? error.message : String(error));
}

function dockerErrorMessage(json: unknown): string | null {
  if (typeof json === "object" && json !== null && "message" in json && typeof json.message === "string") {
    return json.message;
  }
  return null;
}

function currentUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers) has no name to show.
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}

function socketGroupName(socketPath: string): string | null {
  try {
    return groupNameFromEtcGroup(readFileSync("/etc/group", "utf8"), statSync(socketPath).gid);
  } catch {
    return null;
  }
}

/** Finds the name of `gid` in /etc/group text. */
export function groupNameFromEtcGroup(etcGroup: string, gid: number): string | null {
  for (const line of etcGroup.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id && Number(id) === gid) return name;
  }
  return null;
}
