import { openApiDocument } from "@wharf/api";

import { env } from "~/env";
import { renderApiDocs } from "~/server/api-docs";

/** The REST API's reference page. */
export async function GET(): Promise<Response> {
  return new Response(renderApiDocs(await openApiDocument(env.publicUrl)), { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

export const dynamic = "force-dynamic";
