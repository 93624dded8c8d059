import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { AUDIT_PAGE_SIZE, nextAuditCursor } from "./audit-query";
import { AuditView } from "./audit-view";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  await getQueryClient().prefetchInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ limit: AUDIT_PAGE_SIZE }, { getNextPageParam: nextAuditCursor }),
  );
  return (
    <HydrateClient>
      <AuditView />
    </HydrateClient>
  );
}
