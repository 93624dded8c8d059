import type { OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";

import { appRouter } from "./root";
import { deploymentOutputInput } from "./services/deployments";
import { stackLogsInput } from "./services/stack-logs";

/** Where the REST procedures are served, under the web app's origin. */
export const REST_BASE_PATH = "/api/v1";

/** Every REST error, whatever the procedure: the domain code, a sentence for people, and the details a program needs. */
export const restErrorSchema = z
  .object({
    code: z.string().meta({ description: "BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PRECONDITION_FAILED, TOO_MANY_REQUESTS, BAD_GATEWAY..." }),
    message: z.string(),
    details: z.looseObject({
      reason: z.string().nullable().meta({ description: "Machine-readable cause, e.g. JOB_ACTIVE" }),
      fieldErrors: z.record(z.string(), z.array(z.string())).nullable(),
    }),
  });

const sse = (description: string) => ({
  description,
  content: { "text/event-stream": { schema: z.string().meta({ description: "Server-sent events: `id:` and `data:` (one JSON object) per event" }) } },
});

/** The streams are plain route handlers (tRPC subscriptions behind them), so they are declared here by hand. */
const streamPaths = {
  "/jobs/{deploymentId}/output": {
    get: {
      operationId: "deployment-output-stream",
      tags: ["jobs"],
      summary: "A job's output as server-sent events: stored lines, then live ones; ends after the job's final status",
      requestParams: { path: deploymentOutputInput.pick({ deploymentId: true }), query: z.object({ afterSeq: z.coerce.number().int().min(-1).optional() }) },
      responses: { "200": sse("Each event: { lines, lastSeq, status }") },
    },
  },
  "/stacks/{stackId}/logs": {
    get: {
      operationId: "stack-logs-stream",
      tags: ["stacks"],
      summary: "A stack's container logs on one host as server-sent events (tail, then follow=true keeps it open)",
      requestParams: {
        path: stackLogsInput.pick({ stackId: true }),
        query: z.object({
          hostId: z.string(),
          tail: z.string().optional().meta({ description: "Lines from the end, or all" }),
          follow: z.enum(["true", "false"]).optional(),
          service: z.string().optional().meta({ description: "Only these services, comma-separated" }),
        }),
      },
      responses: { "200": sse("Each event: { lines, cursor }") },
    },
  },
};

/**
 * The OpenAPI 3.1 document, generated from the procedures' zod schemas and meta (see `openapi` in trpc.ts's Meta).
 * trpc-to-openapi, with every adapter it ships and their dependencies, loads on the first REST call or document, not with the server.
 */
export async function openApiDocument(origin: string): Promise<OpenAPIObject> {
  const { generateOpenApiDocument } = await import("trpc-to-openapi");
  const document = generateOpenApiDocument(appRouter, {
    title: "Wharf API",
    description: "Authenticate with `Authorization: Bearer wharf_...` (a team API token). Errors are always `{ code, message, details }`.",
    version: "1",
    openApiVersion: "3.1.0",
    baseUrl: `${origin}${REST_BASE_PATH}`,
    securitySchemes: { token: { type: "http", scheme: "bearer", description: "A team API token from the Tokens page" } },
    paths: streamPaths,
    tags: ["hosts", "stacks", "jobs"],
  });
  return withRestErrors(document);
}

type SchemaOrRef = NonNullable<NonNullable<OpenAPIObject["components"]>["schemas"]>[string];

/** The generator describes its own error body; ours is reshaped in one place (the REST route), so every error response points to that shape. */
function withRestErrors(document: OpenAPIObject): OpenAPIObject {
  const errorRef = { $ref: "#/components/schemas/Error" };
  const { $schema: _dialect, ...errorSchema } = z.toJSONSchema(restErrorSchema, { target: "draft-2020-12" });
  const schemas = { ...document.components?.schemas, Error: errorSchema as SchemaOrRef };
  for (const path of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(path as Record<string, { responses?: Record<string, { content?: unknown }> }>)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!status.startsWith("2")) response.content = { "application/json": { schema: errorRef } };
      }
    }
  }
  return { ...document, components: { ...document.components, schemas } };
}
