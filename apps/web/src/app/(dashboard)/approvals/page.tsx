import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { ApprovalsView } from "./approvals-view";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await getQueryClient().prefetchQuery(trpc.approval.list.queryOptions({ status: "PENDING" }));
  return (
    <HydrateClient>
      <ApprovalsView />
    </HydrateClient>
  );
}
