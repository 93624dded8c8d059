import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { appRouter, createCaller } from "@wharf/api";
import { cookies, headers } from "next/headers";
import { cache, type ReactNode } from "react";

import { TEAM_COOKIE } from "~/lib/team";
import { createContext } from "~/server/context";

import { makeQueryClient } from "./query-client";

// One context and one query client per request (React's cache() is request-scoped).
const createRscContext = cache(async () => {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  return createContext({ headers: requestHeaders, requestedTeamId: requestCookies.get(TEAM_COOKIE)?.value ?? null });
});

export const getQueryClient = cache(makeQueryClient);

/** Query options for prefetching in server components; hydrate them with <HydrateClient>. */
export const trpc = createTRPCOptionsProxy({ ctx: createRscContext, router: appRouter, queryClient: getQueryClient });

/** Direct calls from server components, e.g. to redirect or 404 before rendering. */
export const getCaller = cache(async () => createCaller(await createRscContext()));

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
