"use client";

import { QueryCache, type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@wharf/api";
import { type ReactNode, useState } from "react";
import superjson, { type SuperJSONResult } from "superjson";

import { errorCode } from "~/lib/errors";
import { TEAM_COOKIE, TEAM_HEADER, TEAM_PARAM } from "~/lib/team";

import { makeQueryClient } from "./query-client";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  // A server render gets its own client so no data leaks between requests.
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient(
    new QueryCache({
      onError: (error) => {
        // The session ended (expired or signed out elsewhere): start over at sign-in.
        if (errorCode(error) === "UNAUTHORIZED") window.location.assign("/signin");
      },
    }),
  );
  return browserQueryClient;
}

function activeTeamId(): string | null {
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${TEAM_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(TEAM_COOKIE.length + 1)) : null;
}

function activeTeamHeader(): Record<string, string> {
  const teamId = activeTeamId();
  return teamId ? { [TEAM_HEADER]: teamId } : {};
}

/** EventSource cannot send headers: subscriptions carry the team as a connection parameter instead. */
function activeTeamParams(): Record<string, string> {
  const teamId = activeTeamId();
  return teamId ? { [TEAM_PARAM]: teamId } : {};
}

/**
 * Each subscription event's JSON is parsed for that event alone, so superjson may revive it in place
 * rather than copy it whole first: a log batch is hundreds of lines, a burst thousands per second.
 */
const subscriptionTransformer = {
  serialize: (value: unknown) => superjson.serialize(value),
  deserialize: (payload: SuperJSONResult) => superjson.deserialize(payload, { inPlace: true }),
};

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          // Server-sent events: one long GET per subscription, resumable with the last event id.
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: subscriptionTransformer, connectionParams: activeTeamParams }),
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson, headers: activeTeamHeader }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
