import { openApiDocument } from "@wharf/api";

import { env } from "~/env";

/** The REST API's OpenAPI 3.1 document, generated from the procedures. */
export function GET(): Response {
  return Response.json(openApiDocument(env.publicUrl), { headers: { "cache-control": "no-store" } });
}

export const dynamic = "force-dynamic";
