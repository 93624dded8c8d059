import { z } from "zod";

/** Failure codes an agent reports; the control plane maps each to a human message. */
export const agentErrorCode = z.enum([
  "BAD_REQUEST",
  "PROTOCOL_MISMATCH",
  "DOCKER_UNAVAILABLE",
  "DOCKER_PERMISSION_DENIED",
  "NOT_FOUND",
  "INTERNAL",
]);
export type AgentErrorCode = z.infer<typeof agentErrorCode>;

export const agentError = z.object({
  code: agentErrorCode,
  message: z.string(),
});
export type AgentError = z.infer<typeof agentError>;
