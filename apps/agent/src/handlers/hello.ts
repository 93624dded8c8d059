import { PROTOCOL_VERSION } from "@wharf/agent-protocol";

import { AGENT_VERSION } from "../version";
import type { CallHandler } from "./context";

export const hello: CallHandler<"hello"> = (_params, ctx) =>
  Promise.resolve({
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    pid: process.pid,
    startedAt: ctx.agent.startedAt,
    socketPath: ctx.agent.socketPath,
  });
