import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { TeamView } from "./team-view";

export const metadata: Metadata = { title: "Members" };

export default async function TeamPage() {
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.team.members.queryOptions()),
    queryClient.prefetchQuery(trpc.environment.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <TeamView />
    </HydrateClient>
  );
}
