import type { Readable } from "node:stream";

import type { AgentCalls, AgentMethod, AgentResult, AgentStreamMethod, AgentStreams } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import type { z } from "zod";

import type { AgentEnv } from "../env";
import type { Logger } from "../log";

export interface HandlerContext {
  docker: Docker;
  env: AgentEnv;
  log: Logger;
  /** Aborted when the client goes away (and, for calls, when the call takes too long). */
  signal: AbortSignal;
  agent: { startedAt: string; socketPath: string };
}

export type CallHandler<M extends AgentMethod> = (
  params: z.output<AgentCalls[M]["params"]>,
  ctx: HandlerContext,
) => Promise<AgentResult<M>>;

export type StreamData<M extends AgentStreamMethod> = z.output<AgentStreams[M]["data"]>;

/** A byte stream of lines, each mapped to one `data` frame; the server paces it to the client. */
export interface LineSource<T> {
  stream: Readable;
  /** The payload for one line, or null to skip the line. */
  parseLine(line: string): T | null;
}

export type StreamHandler<M extends AgentStreamMethod> = (
  params: z.output<AgentStreams[M]["params"]>,
  ctx: HandlerContext,
) => Promise<LineSource<StreamData<M>>>;
