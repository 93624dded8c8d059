import type { Context } from "@wharf/api";

import { getSession } from "./auth";
import { clientIp } from "./client-ip";
import { getWharf } from "./wharf";

/** The tRPC context for one request, whether it came over HTTP or from a server component. */
export async function createContext(request: { headers: Headers; requestedTeamId: string | null }): Promise<Context> {
  const session = await getSession();
  return {
    deps: getWharf(),
    session: session ? { userId: session.user.id, sessionId: session.sessionId } : null,
    requestedTeamId: request.requestedTeamId,
    ip: clientIp((name) => request.headers.get(name)),
  };
}
