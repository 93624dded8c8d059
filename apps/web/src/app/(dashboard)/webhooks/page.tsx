import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { WebhooksView } from "./webhooks-view";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  await getQueryClient().prefetchQuery(trpc.webhook.list.queryOptions());
  return (
    <HydrateClient>
      <WebhooksView />
    </HydrateClient>
  );
}
