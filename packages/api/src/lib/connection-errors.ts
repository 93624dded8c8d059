import { SshError } from "@wharf/ssh";

import { WharfError } from "../errors";
import { AgentCallError } from "./agent-client";

/** Node's codes for a stream or socket that the other side (or the network) cut. */
const CUT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ERR_STREAM_PREMATURE_CLOSE", "ERR_STREAM_DESTROYED"]);

/**
 * Whether the connection to the agent broke (as opposed to the agent
 * answering with an error): the agent died, sshd dropped the channel, the
 * network went away. Such a call may have reached the agent or not.
 */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof WharfError || error instanceof AgentCallError) return false;
  if (error instanceof SshError) return error.code === "DISCONNECTED" || error.code === "CHANNEL_OPEN_FAILED";
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CUT_CODES.has(code)) || /^(socket hang up|aborted)$/i.test(error.message);
}

/**
 * Turns transport and agent failures into the domain errors users see.
 * `hostName` names the host in messages about a connection that broke.
 */
export function toHostError(error: unknown, hostName?: string): WharfError {
  if (error instanceof WharfError) return error;
  if (isTransportFailure(error) && !(error instanceof SshError)) {
    const detail = error instanceof Error ? error.message : String(error);
    const where = hostName ? `the agent on ${hostName}` : "the host's agent";
    return new WharfError(
      "HOST_UNREACHABLE",
      `The connection to ${where} broke (${detail}). Wharf reconnects and restarts the agent on the next call; if this keeps happening, use Test connection on the host page.`,
      "CONNECTION_LOST",
    );
  }
  if (error instanceof SshError) {
    switch (error.code) {
      case "CONNECTION_REFUSED":
      case "UNREACHABLE":
      case "DNS":
      case "DISCONNECTED":
        return new WharfError("HOST_UNREACHABLE", error.message, error.code);
      case "TIMEOUT":
        return new WharfError("HOST_TIMEOUT", error.message, error.code);
      case "AUTH_FAILED":
      case "HOST_KEY_MISMATCH":
      case "INVALID_KEY":
      case "CHANNEL_OPEN_FAILED":
      case "COMMAND_FAILED":
        return new WharfError("PRECONDITION_FAILED", error.message, error.code);
    }
  }
  if (error instanceof AgentCallError) {
    const { code: agentCode, details } = error.error;
    const code = agentCode === "NOT_FOUND" ? "NOT_FOUND" : agentCode === "CONFLICT" ? "CONFLICT" : "PRECONDITION_FAILED";
    // COMPOSE_INVALID names the file and line: keep them for editors.
    const problems = details?.file === undefined ? undefined : [{ path: ["files"], message: error.message, file: details.file, ...(details.line === undefined ? {} : { line: details.line }) }];
    return new WharfError(code, error.message, agentCode, problems);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new WharfError("INTERNAL", `Unexpected failure talking to the host: ${message}`);
}
