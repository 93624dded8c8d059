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
  "/api/auth/[...nextauth]": { access: "public", why: "sign-in and sign-out themselves" },
  "/api/audit/export": { access: "procedures", why: "calls audit.exportCsv through the tRPC caller, which checks audit:read on the team" },
  "/api/trpc/[trpc]": { access: "procedures", why: "every procedure (and subscription stream) checks its own permission and resource" },
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
