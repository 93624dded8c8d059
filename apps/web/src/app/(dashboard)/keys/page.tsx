import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { KeysView } from "./keys-view";

export const metadata: Metadata = { title: "SSH keys" };

export default async function KeysPage() {
  await getQueryClient().prefetchQuery(trpc.credential.list.queryOptions());
  return (
    <HydrateClient>
      <KeysView />
    </HydrateClient>
  );
}
