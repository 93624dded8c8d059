import { z } from "zod";

/** Failure codes an agent reports; the control plane maps each to a human message. */
export const agentErrorCode = z.enum([
  "BAD_REQUEST",
  "PROTOCOL_MISMATCH",
  "DOCKER_UNAVAILABLE",
  "DOCKER_PERMISSION_DENIED",
  "NOT_FOUND",
  /** Another compose command holds the project (one writer per project at a time). */
  "CONFLICT",
  /** Neither `docker compose` nor `docker-compose` works on the host. */
  "COMPOSE_UNAVAILABLE",
  /** Compose rejected the project's files; `details` names the file and line when known. */
  "COMPOSE_INVALID",
  /** Compose failed for another reason (its own message is kept). */
  "COMPOSE_FAILED",
  /** The agent could not write or read its own files (permissions, a full or read-only disk). */
  "HOST_FILESYSTEM",
  "INTERNAL",
]);
export type AgentErrorCode = z.infer<typeof agentErrorCode>;

/** Where in the project's files a COMPOSE_INVALID points; paths are relative to the project directory. */
export const agentErrorDetails = z.object({
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
});
export type AgentErrorDetails = z.infer<typeof agentErrorDetails>;

export const agentError = z.object({
  code: agentErrorCode,
  message: z.string(),
  details: agentErrorDetails.optional(),
});
export type AgentError = z.infer<typeof agentError>;
