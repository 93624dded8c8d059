import { WharfError } from "@wharf/api";
import { callDeployHook } from "@wharf/api/deploy-hook-call";
import { httpStatusOf } from "@wharf/api/errors";

import { clientIp } from "~/server/client-ip";
import { getWharf } from "~/server/wharf";

/**
 * A stack's deploy hook, called by a pipeline:
 * `curl -X POST -H "Authorization: Bearer $WHARF_HOOK_SECRET" -d '{"tag":"1.4.2"}' <url>`.
 * Answers 202 with the queued jobs, or `{ code, message }`.
 */
export async function POST(request: Request, { params }: { params: Promise<{ hookId: string }> }): Promise<Response> {
  const { hookId } = await params;
  const secret = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
  try {
    const result = await callDeployHook(getWharf(), hookId, secret, await request.text(), clientIp((name) => request.headers.get(name)));
    return Response.json(result, { status: 202 });
  } catch (error) {
    if (!(error instanceof WharfError)) throw error;
    return Response.json({ code: error.reason ?? error.code, message: error.message }, { status: httpStatusOf(error) });
  }
}

export const dynamic = "force-dynamic";
