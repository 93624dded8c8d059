import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@wharf/api";

import { TEAM_HEADER, TEAM_PARAM } from "~/lib/team";
import { createContext } from "~/server/context";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // Subscriptions stream server-sent events from this same handler; they name the team in their connection params.
    createContext: ({ info }) =>
      createContext({ headers: req.headers, requestedTeamId: req.headers.get(TEAM_HEADER) ?? info.connectionParams?.[TEAM_PARAM] ?? null }),
  });
}

export { handler as GET, handler as POST };
