import { openApiDocument } from "@wharf/api";

import { env } from "~/env";

/** The REST API's OpenAPI 3.1 document, generated from the procedures. */
export async function GET(): Promise<Response> {
  return Response.json(await openApiDocument(env.publicUrl), { headers: { "cache-control": "no-store" } });
}

export const dynamic = "force-dynamic";
