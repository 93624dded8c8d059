import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { StacksView } from "./stacks-view";

export const metadata: Metadata = { title: "Stacks" };

export default async function StacksPage() {
  await getQueryClient().prefetchQuery(trpc.stack.list.queryOptions({}));
  return (
    <HydrateClient>
      <StacksView />
    </HydrateClient>
  );
}
