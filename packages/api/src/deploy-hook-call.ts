import type { WharfDeps } from "./deps";
import { WharfError } from "./errors";
import { deployHookCall, recordHookRefusal, runDeployHook, verifyDeployHook } from "./services/deploy-hooks";
import { authorize } from "./trpc";

/**
 * A pipeline's call of a deploy hook, as the route receives it: the secret
 * and pace first, then the hook creator's rights through the one `authorize`
 * (stack:deploy, and stack:write when a tag is set), then the deploy.
 */
export async function callDeployHook(deps: WharfDeps, hookId: string, secret: string | null, body: string, address: string | null) {
  let raw: unknown = {};
  try {
    raw = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    throw new WharfError("BAD_REQUEST", 'The body must be JSON, e.g. {"tag":"1.4.2"}, or empty.');
  }
  const parsed = deployHookCall.safeParse(raw);
  if (!parsed.success) throw new WharfError("BAD_REQUEST", parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
  const hook = await verifyDeployHook(deps, hookId, secret, address);
  const permissions = parsed.data.tag === undefined ? (["stack:deploy"] as const) : (["stack:deploy", "stack:write"] as const);
  for (const permission of permissions) {
    await authorize(deps, hook.actor.id, hook.stack.teamId, { permission, resource: "stack" }, { stackId: hook.stack.id }, {
      onRefused: (refusal) => recordHookRefusal(deps, hook, refusal.message),
    });
  }
  return runDeployHook(deps, hook, parsed.data);
}
