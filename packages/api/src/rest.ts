import { getTRPCErrorFromUnknown, isTrackedEnvelope, type TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z, ZodError } from "zod";

import type { WharfDeps } from "./deps";
import { WharfError } from "./errors";
import { REST_BASE_PATH } from "./openapi";
import { appRouter, createCaller } from "./root";
import { authenticateApiToken } from "./services/api-tokens";
import { claimIdempotencyKey, forgetIdempotencyKey, storeIdempotentResponse } from "./services/idempotency";
import { stackLogsInput } from "./services/stack-logs";
import { type Context, toTrpcError } from "./trpc";

/** Every REST error body: the same shape whatever failed (auth, input, a domain error, a stream). */
export interface RestError {
  code: string;
  message: string;
  details: { reason: string | null; fieldErrors: Record<string, string[]> | null; problems?: unknown };
}

const errorShape = z.object({
  code: z.string(),
  message: z.string(),
  data: z.looseObject({ reason: z.string().nullish(), fieldErrors: z.record(z.string(), z.array(z.string())).nullish(), problems: z.unknown() }).optional(),
});

function restError(status: number, body: RestError): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** A tRPC error (already mapped from its WharfError by the one mapping in trpc.ts) as a REST error. */
export function restErrorFromTrpc(error: TRPCError): Response {
  const cause = error.cause instanceof WharfError ? error.cause : null;
  return restError(getHTTPStatusCodeFromError(error), {
    code: error.code,
    message: error.message,
    details: { reason: cause?.reason ?? null, fieldErrors: null, ...(cause?.problems ? { problems: cause.problems } : {}) },
  });
}

/** The generator's error body (`{ message, code, data... }`) reshaped to `{ code, message, details }`. */
async function reshapeError(response: Response): Promise<Response> {
  const parsed = errorShape.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return restError(response.status, { code: "INTERNAL_SERVER_ERROR", message: "The server failed to answer.", details: { reason: null, fieldErrors: null } });
  const { code, message, data } = parsed.data;
  const fieldErrors = data?.fieldErrors ?? null;
  const fields = fieldErrors ? Object.entries(fieldErrors).map(([field, messages]) => `${field || "input"}: ${messages.join(", ")}`) : [];
  return restError(response.status, {
    code,
    message: fields.length > 0 ? `Check the request: ${fields.join("; ")}.` : message,
    details: { reason: data?.reason ?? null, fieldErrors, ...(data?.problems ? { problems: data.problems } : {}) },
  });
}

/** The call's context from its bearer token: the token's creator, bounded by the token, in the token's team. */
async function tokenContext(deps: WharfDeps, request: Request, ip: string | null): Promise<Context> {
  const header = request.headers.get("authorization") ?? "";
  const secret = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!secret) throw new WharfError("UNAUTHORIZED", "Send an API token: Authorization: Bearer wharf_... (create one on the team's Tokens page).");
  const { teamId, userId, token } = await authenticateApiToken(deps, secret, ip);
  return { deps, session: { userId, token }, requestedTeamId: teamId, ip };
}

async function withTokenContext(deps: WharfDeps, request: Request, ip: string | null, run: (ctx: Context) => Promise<Response>): Promise<Response> {
  try {
    return await run(await tokenContext(deps, request, ip));
  } catch (error) {
    if (error instanceof ZodError) {
      const fieldErrors = z.flattenError(error).fieldErrors as Record<string, string[]>;
      return restError(400, { code: "BAD_REQUEST", message: "Check the request's parameters.", details: { reason: null, fieldErrors } });
    }
    // Errors from outside a procedure (the token check) go through the same WharfError mapping as the procedures'.
    return restErrorFromTrpc(error instanceof WharfError ? toTrpcError(error) : getTRPCErrorFromUnknown(error));
  }
}

/**
 * The REST API: the procedures that declare `openapi` meta, called with an
 * API token. A POST with an `Idempotency-Key` header is answered once: a retry
 * with the same key and body gets the stored answer, a different body is refused.
 */
export async function handleRestRequest(deps: WharfDeps, request: Request, ip: string | null): Promise<Response> {
  return withTokenContext(deps, request, ip, async (ctx) => {
    const key = request.method === "POST" ? request.headers.get("idempotency-key") : null;
    const call = async (req: Request) => {
      // Loaded on first use, like the document (see openapi.ts).
      const { createOpenApiFetchHandler } = await import("trpc-to-openapi");
      const response = await createOpenApiFetchHandler({ endpoint: REST_BASE_PATH, req, router: appRouter, createContext: () => Promise.resolve(ctx) });
      return response.ok ? response : reshapeError(response);
    };
    if (!key) return call(request);
    const body = await request.text();
    const caller = ctx.session?.token ? `token:${ctx.session.token.id}` : `user:${ctx.session?.userId ?? ""}`;
    const claim = await claimIdempotencyKey(deps, { teamId: ctx.requestedTeamId ?? "", caller, key, request: `${request.method} ${new URL(request.url).pathname}\n${body}` });
    if (claim.stored) return Response.json(claim.stored.body, { status: claim.stored.status, headers: { "idempotent-replayed": "true" } });
    const response = await call(new Request(request.url, { method: request.method, headers: request.headers, body }));
    if (response.ok) {
      const answer: unknown = await response.clone().json();
      await storeIdempotentResponse(deps, claim.id, { status: response.status, body: answer });
    } else {
      // A refused request did nothing: the same key may be tried again.
      await forgetIdempotencyKey(deps, claim.id);
    }
    return response;
  });
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" };

/** Server-sent events from a subscription: `id:` (resume point) and `data:` (JSON) per event, then the stream ends. */
function sseResponse(events: AsyncIterable<unknown>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done || signal.aborted) {
          controller.close();
          return;
        }
        const [id, data] = isTrackedEnvelope(next.value) ? [next.value[0], next.value[1]] : [null, next.value];
        controller.enqueue(encoder.encode(`${id === null ? "" : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`));
      } catch (error) {
        const failure = getTRPCErrorFromUnknown(error);
        controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ code: failure.code, message: failure.message })}\n\n`));
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

const afterSeqParam = z.coerce.number().int().min(-1).default(-1);

/** GET /api/v1/jobs/{deploymentId}/output: the job's output through the deployment.output subscription. */
export async function handleJobOutputStream(deps: WharfDeps, request: Request, ip: string | null, deploymentId: string): Promise<Response> {
  return withTokenContext(deps, request, ip, async (ctx) => {
    const url = new URL(request.url);
    const afterSeq = afterSeqParam.parse(url.searchParams.get("afterSeq") ?? undefined);
    const lastEventId = request.headers.get("last-event-id");
    const events = await createCaller(ctx, { signal: request.signal }).deployment.output({ deploymentId, afterSeq, lastEventId });
    return sseResponse(events, request.signal);
  });
}

/** GET /api/v1/stacks/{stackId}/logs: a tail of the stack's logs on a host, kept open with follow=true (stack.logs subscription). */
export async function handleStackLogsStream(deps: WharfDeps, request: Request, ip: string | null, stackId: string): Promise<Response> {
  return withTokenContext(deps, request, ip, async (ctx) => {
    const params = new URL(request.url).searchParams;
    const tail = params.get("tail");
    const services = params.get("service")?.split(",");
    const input = stackLogsInput.parse({
      stackId,
      hostId: params.get("hostId"),
      tail: tail === "all" ? "all" : tail === null ? undefined : Number(tail),
      follow: params.get("follow") === "true",
      ...(services ? { services } : {}),
      lastEventId: request.headers.get("last-event-id"),
    });
    const events = await createCaller(ctx, { signal: request.signal }).stack.logs(input);
    return sseResponse(events, request.signal);
  });
}
