import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { ProfileView } from "./profile-view";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const queryClient = getQueryClient();
  await Promise.all([queryClient.prefetchQuery(trpc.account.profile.queryOptions()), queryClient.prefetchQuery(trpc.account.sessions.queryOptions())]);
  return (
    <HydrateClient>
      <ProfileView />
    </HydrateClient>
  );
}
