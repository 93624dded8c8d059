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
import type { CallHandler, HandlerContext, StreamHandler } from "./handlers/context";
import { idleCollector } from "./idle-gc";
import type { Logger } from "./log";
import { type Pump, pumpStream } from "./stream-pump";

// Each handler module is evaluated on its first call: an idle agent holds none
// of the code, schemas and Node built-ins of the calls it has not served
// (6 MiB of its resident memory, half its own share).
const callHandlers: { [M in AgentMethod]: () => Promise<CallHandler<M>> } = {
  hello: () => import("./handlers/hello").then((module) => module.hello),
  hostFacts: () => import("./handlers/host-facts").then((module) => module.hostFacts),
  hostUsage: () => import("./handlers/host-usage").then((module) => module.hostUsage),
  listContainers: () => import("./handlers/list-containers").then((module) => module.listContainers),
  listImages: () => import("./handlers/list-images").then((module) => module.listImages),
  listVolumes: () => import("./handlers/list-volumes").then((module) => module.listVolumes),
  listNetworks: () => import("./handlers/list-networks").then((module) => module.listNetworks),
  composeConfig: () => import("./handlers/compose-config").then((module) => module.composeConfig),
  composePs: () => import("./handlers/compose-ps").then((module) => module.composePs),
  containerStats: () => import("./handlers/container-stats").then((module) => module.containerStats),
  composeImageDigests: () => import("./handlers/compose-image-digests").then((module) => module.composeImageDigests),
  preflight: () => import("./handlers/preflight").then((module) => module.preflight),
  composeCancel: () => import("./handlers/compose-cancel").then((module) => module.composeCancel),
  composeRemoveProject: () => import("./handlers/compose-remove-project").then((module) => module.composeRemoveProject),
  composeTreeHave: () => import("./handlers/compose-tree").then((module) => module.composeTreeHave),
  composeTreePut: () => import("./handlers/compose-tree").then((module) => module.composeTreePut),
  inspectContainer: () => import("./handlers/inspect-container").then((module) => module.inspectContainer),
  containerAction: () => import("./handlers/container-actions").then((module) => module.containerAction),
  removeContainer: () => import("./handlers/container-actions").then((module) => module.removeContainer),
  execInput: () => import("./handlers/container-exec").then((module) => module.execInput),
  execResize: () => import("./handlers/container-exec").then((module) => module.execResize),
  volumeUsage: () => import("./handlers/volume-actions").then((module) => module.volumeUsage),
  createVolume: () => import("./handlers/volume-actions").then((module) => module.createVolume),
  removeVolume: () => import("./handlers/volume-actions").then((module) => module.removeVolume),
  pruneVolumes: () => import("./handlers/volume-actions").then((module) => module.pruneVolumes),
  browseVolume: () => import("./handlers/volume-files").then((module) => module.browseVolume),
  readVolumeFile: () => import("./handlers/volume-files").then((module) => module.readVolumeFile),
  networkUsage: () => import("./handlers/network-actions").then((module) => module.networkUsage),
  createNetwork: () => import("./handlers/network-actions").then((module) => module.createNetwork),
  removeNetwork: () => import("./handlers/network-actions").then((module) => module.removeNetwork),
  connectNetwork: () => import("./handlers/network-actions").then((module) => module.connectNetwork),
  disconnectNetwork: () => import("./handlers/network-actions").then((module) => module.disconnectNetwork),
  inspectImage: () => import("./handlers/image-actions").then((module) => module.inspectImage),
  removeImage: () => import("./handlers/image-actions").then((module) => module.removeImage),
  pruneImages: () => import("./handlers/image-actions").then((module) => module.pruneImages),
};

const streamHandlers: { [M in AgentStreamMethod]: () => Promise<StreamHandler<M>> } = {
  dockerEvents: () => import("./handlers/docker-events").then((module) => module.dockerEvents),
  composeRun: () => import("./handlers/compose-run").then((module) => module.composeRun),
  composeLogs: () => import("./handlers/compose-logs").then((module) => module.composeLogs),
  composeAttach: () => import("./handlers/compose-attach").then((module) => module.composeAttach),
  containerLogs: () => import("./handlers/container-logs").then((module) => module.containerLogs),
  containerExec: () => import("./handlers/container-exec").then((module) => module.containerExec),
  hostStats: () => import("./handlers/host-stats").then((module) => module.hostStats),
  pullImage: () => import("./handlers/image-actions").then((module) => module.pullImage),
  imagePush: () => import("./handlers/image-push").then((module) => module.imagePush),
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
    const handler = await streamHandlers[method]();
    const source = await handler(params, context(abortWhenClientGone(res).signal));
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

async function runCall<M extends AgentMethod>(
  method: M,
  params: z.output<AgentCalls[M]["params"]>,
  ctx: HandlerContext,
): Promise<unknown> {
  const handler = await callHandlers[method]();
  const checked = agentCalls[method].result.safeParse(await handler(params, ctx));
  if (!checked.success) {
    throw new AgentFailure("INTERNAL", `agent produced an invalid ${method} result: ${z.prettifyError(checked.error)}`);
  }
  return checked.data;
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
