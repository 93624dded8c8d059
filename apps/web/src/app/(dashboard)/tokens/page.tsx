import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { TokensView } from "./tokens-view";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  await getQueryClient().prefetchQuery(trpc.apiToken.list.queryOptions());
  return (
    <HydrateClient>
      <TokensView />
    </HydrateClient>
  );
}
