import { handleRestRequest } from "@wharf/api";

import { env } from "~/env";
import { limitRequestBody } from "~/server/body-limit";
import { clientIp } from "~/server/client-ip";
import { getWharf } from "~/server/wharf";

/** The REST API (see /api/openapi.json): API tokens only, never the browser's session cookie. */
function handler(request: Request): Promise<Response> {
  return limitRequestBody(request, env.maxRequestBytes, (req) => handleRestRequest(getWharf(), req, clientIp((name) => req.headers.get(name))));
}

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
export const dynamic = "force-dynamic";
