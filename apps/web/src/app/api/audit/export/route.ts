import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "@wharf/api";
import { cookies } from "next/headers";

import { auditFilterFromParams, auditFilterInput } from "~/app/(dashboard)/audit/audit-query";
import { TEAM_COOKIE, TEAM_PARAM } from "~/lib/team";
import { createContext } from "~/server/context";

/**
 * The audit trail as a CSV file, filtered like the audit page (the same query
 * parameters). It goes through the audit.exportCsv procedure, so it is checked
 * exactly like the page: signed in, a member of the team, audit:read.
 */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const requestedTeamId = url.searchParams.get(TEAM_PARAM) ?? (await cookies()).get(TEAM_COOKIE)?.value ?? null;
  const filter = auditFilterInput(auditFilterFromParams(Object.fromEntries(url.searchParams)));
  try {
    const caller = createCaller(await createContext({ headers: request.headers, requestedTeamId }));
    const csv = await caller.audit.exportCsv(filter);
    const day = new Date().toISOString().slice(0, 10);
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="wharf-audit-${day}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return new Response(`${error.message}\n`, { status: getHTTPStatusCodeFromError(error), headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}

export const dynamic = "force-dynamic";
