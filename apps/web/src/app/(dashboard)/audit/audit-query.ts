import type { RouterOutputs } from "~/trpc/react";

// Shared by the server prefetch and the client query so both build the same query key.
export const AUDIT_PAGE_SIZE = 50;

export function nextAuditCursor(page: RouterOutputs["audit"]["list"]): string | null {
  return page.nextCursor;
}
