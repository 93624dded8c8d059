import type { Metadata } from "next";

import { LinkChatAccount } from "./link-chat-account";

export const metadata: Metadata = { title: "Link your chat account" };

export default async function LinkChatPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const token = (await searchParams).token;
  return <LinkChatAccount token={typeof token === "string" ? token : ""} />;
}
