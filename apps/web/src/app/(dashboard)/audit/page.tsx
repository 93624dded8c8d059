import type { Metadata } from "next";

import type { SearchParams } from "~/lib/search-params";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { auditFilterFromParams, auditListInput, nextAuditCursor } from "./audit-query";
import { AuditView } from "./audit-view";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const filter = auditFilterFromParams(await searchParams);
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.audit.list.infiniteQueryOptions(auditListInput(filter), { getNextPageParam: nextAuditCursor })),
    queryClient.prefetchQuery(trpc.audit.actions.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <AuditView filter={filter} />
    </HydrateClient>
  );
}
