import { handleStackLogsStream } from "@wharf/api";

import { clientIp } from "~/server/client-ip";
import { getWharf } from "~/server/wharf";

/** A stack's logs on one host as server-sent events, for an API token. */
export async function GET(request: Request, { params }: { params: Promise<{ stackId: string }> }): Promise<Response> {
  const { stackId } = await params;
  return handleStackLogsStream(getWharf(), request, clientIp((name) => request.headers.get(name)), stackId);
}

export const dynamic = "force-dynamic";
