import { handleJobOutputStream } from "@wharf/api";

import { clientIp } from "~/server/client-ip";
import { getWharf } from "~/server/wharf";

/** A job's output as server-sent events, for an API token. */
export async function GET(request: Request, { params }: { params: Promise<{ deploymentId: string }> }): Promise<Response> {
  const { deploymentId } = await params;
  return handleJobOutputStream(getWharf(), request, clientIp((name) => request.headers.get(name)), deploymentId);
}

export const dynamic = "force-dynamic";
