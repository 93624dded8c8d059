import type { AgentError, AgentErrorCode } from "@wharf/agent-protocol";

/** An error the agent reports to the control plane as `{ok:false,error}` with this code and message. */
export class AgentFailure extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AgentFailure";
  }

  toAgentError(): AgentError {
    return { code: this.code, message: this.message };
  }
}
