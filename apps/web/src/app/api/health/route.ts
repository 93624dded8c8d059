import { createCaller } from "@wharf/api";
import { connection } from "next/server";

import { getWharf } from "~/server/wharf";

/** Liveness for the launcher and for orchestrators: answers 200 only when the database does. */
export async function GET(): Promise<Response> {
  await connection();
  try {
    const caller = createCaller({ deps: getWharf(), session: null, requestedTeamId: null, ip: null });
    return Response.json(await caller.health.check(), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return Response.json({ ok: false, error: message }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
