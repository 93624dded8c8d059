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
  kind: "lines";
  stream: Readable;
  /** The payload for one line, or null to skip the line. */
  parseLine(line: string): T | null;
}

/** An object-mode stream whose every chunk is one `data` payload (of type T); paced like a line source. */
export interface PayloadSource {
  kind: "payloads";
  stream: Readable;
}

export type StreamSource<T> = LineSource<T> | PayloadSource;

export type StreamHandler<M extends AgentStreamMethod> = (
  params: z.output<AgentStreams[M]["params"]>,
  ctx: HandlerContext,
) => Promise<StreamSource<StreamData<M>>>;
