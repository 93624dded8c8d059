/**
 * Every HTTP route under src/app/api and who may call it. A route either
 * serves the tRPC procedures (each checks its own declaration, see the
 * permission matrix) or is public for a stated reason; a route acting on a
 * team's data declares `{ permission, resource }` like a procedure and checks
 * it with `authorize` from @wharf/api/trpc. A test walks the folder and fails
 * on a route missing here.
 */
export const HTTP_ROUTES = {
  "/api/health": { access: "public", why: "liveness for the launcher and orchestrators: says only whether the database answers" },
  "/api/live": { access: "public", why: "liveness of the process alone (no database): a constant answer" },
  "/api/auth/[...nextauth]": { access: "public", why: "sign-in and sign-out themselves" },
  "/api/audit/export": { access: "procedures", why: "calls audit.exportCsv through the tRPC caller, which checks audit:read on the team" },
  "/api/trpc/[trpc]": { access: "procedures", why: "every procedure (and subscription stream) checks its own permission and resource" },
  "/api/v1/[...path]": { access: "procedures", why: "REST: the procedures with openapi meta, called with an API token; each checks its permission bounded by the token" },
  "/api/v1/jobs/[deploymentId]/output": { access: "procedures", why: "REST stream through deployment.output, called with an API token (stack:read on the job)" },
  "/api/v1/stacks/[stackId]/logs": { access: "procedures", why: "REST stream through stack.logs, called with an API token (logs:read on the stack)" },
  "/api/openapi.json": { access: "public", why: "the REST API's description, the same for everyone: no team data" },
  "/api/docs": { access: "public", why: "the REST API's reference page, rendered from the public OpenAPI document" },
  "/api/metrics": { access: "public", why: "Prometheus metrics, off unless WHARF_METRICS_TOKEN is set, then only for that bearer secret (server-wide counts, no team data)" },
  "/api/hooks/deploy/[hookId]": {
    access: "public",
    why: "a pipeline's deploy hook: its own secret (hashed, compared in constant time), then the hook creator's stack:deploy (and stack:write for a tag) through authorize",
  },
  "/api/chat/slack/[integrationId]/commands": {
    access: "public",
    why: "slash commands signed with the team's signing secret (5-minute window, replays refused); each runs as the linked user through the tRPC caller",
  },
  "/api/chat/slack/[integrationId]/interactions": {
    access: "public",
    why: "button presses signed like slash commands; each runs as the linked user through the tRPC caller",
  },
} as const satisfies Record<string, { access: "public" | "procedures"; why: string }>;
