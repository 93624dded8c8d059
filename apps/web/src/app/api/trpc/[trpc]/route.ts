import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@wharf/api";

import { env } from "~/env";
import { TEAM_HEADER, TEAM_PARAM } from "~/lib/team";
import { limitRequestBody } from "~/server/body-limit";
import { createContext } from "~/server/context";

function handler(request: Request): Promise<Response> {
  return limitRequestBody(request, env.maxRequestBytes, trpc);
}

function trpc(req: Request): Promise<Response> {
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
