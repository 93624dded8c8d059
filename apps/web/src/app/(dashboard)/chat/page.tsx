import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { ChatView } from "./chat-view";

export const metadata: Metadata = { title: "Chat app" };

export default async function ChatPage() {
  await getQueryClient().prefetchQuery(trpc.chat.get.queryOptions());
  return (
    <HydrateClient>
      <ChatView />
    </HydrateClient>
  );
}
