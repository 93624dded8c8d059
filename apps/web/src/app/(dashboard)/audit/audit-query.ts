import { firstParam, type SearchParams } from "~/lib/search-params";
import type { RouterInputs, RouterOutputs } from "~/trpc/react";

// Shared by the server prefetch and the client query so both build the same query key.
export const AUDIT_PAGE_SIZE = 50;

/** The filters the page keeps in its address (so a filtered view can be linked to, e.g. a job's entries). */
export const AUDIT_FILTER_KEYS = ["search", "actor", "action", "targetType", "targetId", "from", "to"] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
export type AuditFilterParams = Partial<Record<AuditFilterKey, string>>;

export function auditFilterFromParams(params: Awaited<SearchParams>): AuditFilterParams {
  return Object.fromEntries(AUDIT_FILTER_KEYS.flatMap((key) => (firstParam(params[key]) ? [[key, firstParam(params[key])]] : [])));
}

/** Dates in the address are days (yyyy-mm-dd, the browser's date field); "to" covers its whole day, in UTC. */
export function auditFilterInput(filter: AuditFilterParams): RouterInputs["audit"]["exportCsv"] {
  return {
    ...(filter.search ? { search: filter.search } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.from ? { from: new Date(`${filter.from}T00:00:00.000Z`) } : {}),
    ...(filter.to ? { to: new Date(`${filter.to}T23:59:59.999Z`) } : {}),
  };
}

export function auditListInput(filter: AuditFilterParams): RouterInputs["audit"]["list"] {
  return { limit: AUDIT_PAGE_SIZE, ...auditFilterInput(filter) };
}

export function nextAuditCursor(page: RouterOutputs["audit"]["list"]): string | null {
  return page.nextCursor;
}
