import { chmodSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname } from "node:path";

import {
  type AgentCalls,
  agentCalls,
  type AgentError,
  type AgentErrorCode,
  type AgentMethod,
  agentRequest,
  type AgentResponse,
  type AgentStreamMethod,
  agentStreamRequest,
  type AgentStreams,
  agentStreams,
  CALL_PATH,
  MAX_REQUEST_BODY_BYTES,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  STREAM_PATH,
} from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { DOCKER_CALL_TIMEOUT_MS } from "./docker/client";
import { dockerFailure } from "./docker/errors";
import type { AgentEnv } from "./env";
import { AgentFailure } from "./failure";
import { filesystemFailure } from "./filesystem-failure";
import { composeAttach } from "./handlers/compose-attach";
import { composeCancel } from "./handlers/compose-cancel";
import { composeConfig } from "./handlers/compose-config";
import { composeImageDigests } from "./handlers/compose-image-digests";
import { composeLogs } from "./handlers/compose-logs";
import { composePs } from "./handlers/compose-ps";
import { composeRemoveProject } from "./handlers/compose-remove-project";
import { composeRun } from "./handlers/compose-run";
import { composeTreeHave, composeTreePut } from "./handlers/compose-tree";
import { containerAction, removeContainer } from "./handlers/container-actions";
import { containerExec, execInput, execResize } from "./handlers/container-exec";
import { containerLogs } from "./handlers/container-logs";
import { containerStats } from "./handlers/container-stats";
import type { CallHandler, HandlerContext, StreamHandler } from "./handlers/context";
import { dockerEvents } from "./handlers/docker-events";
import { hello } from "./handlers/hello";
import { hostFacts } from "./handlers/host-facts";
import { hostStats } from "./handlers/host-stats";
import { hostUsage } from "./handlers/host-usage";
import { inspectImage, pruneImages, pullImage, removeImage } from "./handlers/image-actions";
import { imagePush } from "./handlers/image-push";
import { inspectContainer } from "./handlers/inspect-container";
import { listContainers } from "./handlers/list-containers";
import { listImages } from "./handlers/list-images";
import { listNetworks } from "./handlers/list-networks";
import { listVolumes } from "./handlers/list-volumes";
import { connectNetwork, createNetwork, disconnectNetwork, networkUsage, removeNetwork } from "./handlers/network-actions";
import { preflight } from "./handlers/preflight";
import { createVolume, pruneVolumes, removeVolume, volumeUsage } from "./handlers/volume-actions";
import { browseVolume, readVolumeFile } from "./handlers/volume-files";
import { idleCollector } from "./idle-gc";
import type { Logger } from "./log";
import { type Pump, pumpStream } from "./stream-pump";

const callHandlers: { [M in AgentMethod]: CallHandler<M> } = {
  hello,
  hostFacts,
  hostUsage,
  listContainers,
  listImages,
  listVolumes,
  listNetworks,
  composeConfig,
  composePs,
  containerStats,
  composeImageDigests,
  preflight,
  composeCancel,
  composeRemoveProject,
  composeTreeHave,
  composeTreePut,
  inspectContainer,
  containerAction,
  removeContainer,
  execInput,
  execResize,
  volumeUsage,
  createVolume,
  removeVolume,
  pruneVolumes,
  browseVolume,
  readVolumeFile,
  networkUsage,
  createNetwork,
  removeNetwork,
  connectNetwork,
  disconnectNetwork,
  inspectImage,
  removeImage,
  pruneImages,
};

const streamHandlers: { [M in AgentStreamMethod]: StreamHandler<M> } = {
  dockerEvents,
  composeRun,
  composeLogs,
  composeAttach,
  containerLogs,
  containerExec,
  hostStats,
  pullImage,
  imagePush,
};

// In-flight calls get this long to finish on shutdown before connections are cut.
const SHUTDOWN_GRACE_MS = 5_000;
// The control plane reuses connections over its SSH forward; each new one costs a round trip.
const KEEP_ALIVE_MS = 60_000;
// Quiet this long after a call or a stream ended: the work is over, its garbage can go.
const IDLE_GC_MS = 5_000;
// With a stream open the agent is never idle: collect this often instead.
const BUSY_GC_MS = 60_000;

const httpStatus: Record<AgentErrorCode, number> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  COMPOSE_INVALID: 422,
  PROTOCOL_MISMATCH: 426,
  COMPOSE_FAILED: 502,
  COMPOSE_UNAVAILABLE: 503,
  DOCKER_UNAVAILABLE: 503,
  DOCKER_PERMISSION_DENIED: 503,
  HOST_FILESYSTEM: 507,
  INTERNAL: 500,
};

export interface AgentServerOptions {
  socketPath: string;
  env: AgentEnv;
  docker: Docker;
  log: Logger;
}

export interface AgentServer {
  /** Stops accepting, ends open streams, waits for in-flight calls (bounded), and removes the socket. */
  close(): Promise<void>;
}

/**
 * HTTP/1.1 on a unix socket: `POST CALL_PATH` answers one JSON envelope,
 * `POST STREAM_PATH` answers NDJSON frames. Any non-200 answer, on either
 * path, is an `agentResponse` error envelope.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { socketPath, env, docker, log } = options;
  const startedAt = new Date().toISOString();
  const pumps = new Set<Pump>();
  const collector = idleCollector({ idleMs: IDLE_GC_MS, everyMs: BUSY_GC_MS, busy: () => pumps.size > 0 });

  const context = (signal: AbortSignal): HandlerContext => ({
    docker,
    env,
    log,
    signal,
    agent: { startedAt, socketPath },
  });
  const describe = (error: unknown): AgentError => {
    const failure = filesystemFailure(error, dirname(socketPath)) ?? dockerFailure(error, env.docker);
    if (failure.code === "INTERNAL") log.error("request failed", { error: errorText(error) });
    return failure.toAgentError();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? "";
    if (path !== CALL_PATH && path !== STREAM_PATH) {
      sendError(res, { code: "NOT_FOUND", message: `no such path ${path}: use POST ${CALL_PATH} or ${STREAM_PATH}` });
      return;
    }
    if (req.method !== "POST") {
      sendError(res, { code: "BAD_REQUEST", message: `${path} takes POST, not ${req.method ?? "?"}` }, 405);
      return;
    }
    const protocolError = checkProtocol(req.headers[PROTOCOL_HEADER]);
    if (protocolError) {
      sendError(res, protocolError);
      return;
    }
    const body = await readJson(req);
    if (path === CALL_PATH) await handleCall(body, res);
    else await handleStream(body, res);
  };

  const handleCall = async (body: unknown, res: ServerResponse): Promise<void> => {
    const request = parseRequest(agentRequest, body);
    const started = performance.now();
    const controller = abortWhenClientGone(res);
    const timeout = setTimeout(() => controller.abort(), DOCKER_CALL_TIMEOUT_MS);
    let result: unknown;
    try {
      result = await runCall(request.method, request.params, context(controller.signal));
    } finally {
      clearTimeout(timeout);
    }
    send(res, 200, { ok: true, result });
    log.debug("call", { method: request.method, ms: Math.round(performance.now() - started) });
  };

  const handleStream = async (body: unknown, res: ServerResponse): Promise<void> => {
    const request = parseRequest(agentStreamRequest, body);
    await serveStream(request.method, request.params, res);
  };

  const serveStream = async <M extends AgentStreamMethod>(
    method: M,
    params: z.output<AgentStreams[M]["params"]>,
    res: ServerResponse,
  ): Promise<void> => {
    const source = await streamHandlers[method](params, context(abortWhenClientGone(res).signal));
    if (res.destroyed) {
      source.stream.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    res.flushHeaders();
    log.debug("stream opened", { method });
    const pump = pumpStream({
      source,
      out: res,
      validate: (data) => validateStreamData(method, data),
      describeError: describe,
      onDone: (reason) => {
        pumps.delete(pump);
        log.debug("stream closed", { method, reason });
      },
    });
    pumps.add(pump);
  };

  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    // A call answered or a stream ended (also by the client leaving): count idleness from here.
    res.once("close", () => collector.touch());
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, describe(error));
    });
  });

  // The socket is the agent's only access control: create it owner-only
  // (umask) and re-assert the mode once it exists.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(socketPath, 0o600);
  log.info("listening", { socket: socketPath, docker: env.dockerHost, pid: process.pid });

  return {
    close: async () => {
      collector.stop();
      // Closing a listening unix socket server also unlinks its socket file.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pump of pumps) pump.stop();
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(cut);
    },
  };
}

function runCall<M extends AgentMethod>(
  method: M,
  params: z.output<AgentCalls[M]["params"]>,
  ctx: HandlerContext,
): Promise<unknown> {
  return callHandlers[method](params, ctx).then((result) => {
    const checked = agentCalls[method].result.safeParse(result);
    if (!checked.success) {
      throw new AgentFailure("INTERNAL", `agent produced an invalid ${method} result: ${z.prettifyError(checked.error)}`);
    }
    return checked.data;
  });
}

function validateStreamData<M extends AgentStreamMethod>(method: M, data: z.output<AgentStreams[M]["data"]>): unknown {
  const checked = agentStreams[method].data.safeParse(data);
  if (!checked.success) {
    throw new AgentFailure("INTERNAL", `agent produced an invalid ${method} frame: ${z.prettifyError(checked.error)}`);
  }
  return checked.data;
}

function checkProtocol(header: string | string[] | undefined): AgentError | null {
  const sent = Array.isArray(header) ? header[0] : header;
  if (sent === String(PROTOCOL_VERSION)) return null;
  const theirs = sent === undefined ? `sent no ${PROTOCOL_HEADER} header` : sent;
  return { code: "PROTOCOL_MISMATCH", message: `agent speaks protocol ${PROTOCOL_VERSION}, control plane ${theirs}` };
}

function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AgentFailure("BAD_REQUEST", `invalid request: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) throw new AgentFailure("BAD_REQUEST", `request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new AgentFailure("BAD_REQUEST", "request body is not valid JSON");
  }
}

/** A controller aborted when the client disconnects before its answer was sent. */
function abortWhenClientGone(res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}

function sendError(res: ServerResponse, error: AgentError, status = httpStatus[error.code]): void {
  send(res, status, { ok: false, error });
}

function send(res: ServerResponse, status: number, body: AgentResponse): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
