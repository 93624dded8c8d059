import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { HostsView } from "./hosts-view";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  await getQueryClient().prefetchQuery(trpc.host.list.queryOptions());
  return (
    <HydrateClient>
      <HostsView />
    </HydrateClient>
  );
}
