import { type QueryCache, QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";

/** Shared by the browser and by server components that prefetch and hydrate. */
export function makeQueryClient(queryCache?: QueryCache): QueryClient {
  return new QueryClient({
    ...(queryCache ? { queryCache } : {}),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // API errors are deliberate answers (not found, host unreachable): retrying only delays them.
        retry: (failureCount, error) => !(error instanceof TRPCClientError && error.data) && failureCount < 2,
      },
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
