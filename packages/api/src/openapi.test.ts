import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";

import { openApiDocument } from "./openapi";

describe("the OpenAPI document", async () => {
  const document = await openApiDocument("https://wharf.example.com");

  it("is a valid OpenAPI 3.1 document for an independent validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(document)) as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("covers hosts, stacks and status, revisions, jobs and their streams, behind a bearer token", () => {
    expect(Object.keys(document.paths ?? {}).sort()).toEqual([
      "/hosts",
      "/jobs",
      "/jobs/{deploymentId}",
      "/jobs/{deploymentId}/cancel",
      "/jobs/{deploymentId}/output",
      "/stacks",
      "/stacks/{stackId}",
      "/stacks/{stackId}/hosts/{hostId}/status",
      "/stacks/{stackId}/jobs",
      "/stacks/{stackId}/logs",
      "/stacks/{stackId}/revisions",
    ]);
    expect(document.servers).toEqual([{ url: "https://wharf.example.com/api/v1" }]);
    expect(document.components?.securitySchemes).toEqual({ token: expect.objectContaining({ type: "http", scheme: "bearer" }) as unknown });
  });

  it("describes every error response with the one { code, message, details } shape", () => {
    const errors = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item as Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>).flatMap((operation) =>
        Object.entries(operation.responses).filter(([status]) => !status.startsWith("2")),
      ),
    );
    expect(errors.length).toBeGreaterThan(10);
    for (const [, response] of errors) expect(response.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(document.components?.schemas?.Error).toMatchObject({ required: ["code", "message", "details"] });
  });
});
