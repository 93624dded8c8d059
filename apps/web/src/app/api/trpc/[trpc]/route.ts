import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@wharf/api";

import { TEAM_HEADER } from "~/lib/team";
import { createContext } from "~/server/context";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers, requestedTeamId: req.headers.get(TEAM_HEADER) }),
  });
}

export { handler as GET, handler as POST };
