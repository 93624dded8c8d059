import { SshError } from "@wharf/ssh";

import { WharfError } from "../errors";
import { AgentCallError } from "./agent-client";

/** Turns transport and agent failures into the domain errors users see. */
export function toHostError(error: unknown): WharfError {
  if (error instanceof WharfError) return error;
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
