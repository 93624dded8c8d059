import { WharfError } from "@wharf/api";
import { httpStatusOf } from "@wharf/api/errors";
import { deployHookCall, recordHookRefusal, runDeployHook, verifyDeployHook } from "@wharf/api/services/deploy-hooks";
import { authorize } from "@wharf/api/trpc";

import { clientIp } from "~/server/client-ip";
import { getWharf } from "~/server/wharf";

/**
 * A stack's deploy hook, called by a pipeline:
 * `curl -X POST -H "Authorization: Bearer $WHARF_HOOK_SECRET" -d '{"tag":"1.4.2"}' <url>`.
 * Answers JSON: the queued jobs, or `{ code, message }`.
 */
export async function POST(request: Request, { params }: { params: Promise<{ hookId: string }> }): Promise<Response> {
  const deps = getWharf();
  const { hookId } = await params;
  const secret = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
  try {
    const text = await request.text();
    let raw: unknown = {};
    try {
      raw = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw new WharfError("BAD_REQUEST", 'The body must be JSON, e.g. {"tag":"1.4.2"}, or empty.');
    }
    const parsed = deployHookCall.safeParse(raw);
    if (!parsed.success) throw new WharfError("BAD_REQUEST", parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
    const hook = await verifyDeployHook(deps, hookId, secret, clientIp((name) => request.headers.get(name)));
    const permissions = parsed.data.tag === undefined ? (["stack:deploy"] as const) : (["stack:deploy", "stack:write"] as const);
    for (const permission of permissions) {
      await authorize(deps, hook.actor.id, hook.stack.teamId, { permission, resource: "stack" }, { stackId: hook.stack.id }, {
        onRefused: (refusal) => recordHookRefusal(deps, hook, refusal.message),
      });
    }
    return Response.json(await runDeployHook(deps, hook, parsed.data), { status: 202 });
  } catch (error) {
    if (!(error instanceof WharfError)) throw error;
    return Response.json({ code: error.reason ?? error.code, message: error.message }, { status: httpStatusOf(error) });
  }
}

export const dynamic = "force-dynamic";
