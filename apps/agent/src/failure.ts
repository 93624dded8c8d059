import type { AgentError, AgentErrorCode, AgentErrorDetails } from "@wharf/agent-protocol";

/** An error the agent reports to the control plane as `{ok:false,error}` with this code and message. */
export class AgentFailure extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly details?: AgentErrorDetails,
  ) {
    super(message);
    this.name = "AgentFailure";
  }

  toAgentError(): AgentError {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}
