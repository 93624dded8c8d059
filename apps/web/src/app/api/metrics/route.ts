import { timingSafeEqual } from "node:crypto";

import { metricsExposition } from "@wharf/api";

import { env } from "~/env";
import { getWharf } from "~/server/wharf";

function sameSecret(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus metrics: off (404) unless WHARF_METRICS_TOKEN is set, then only for `Authorization: Bearer <that secret>`. */
export async function GET(request: Request): Promise<Response> {
  if (!env.metricsToken) return new Response("Metrics are off: set WHARF_METRICS_TOKEN to turn them on.\n", { status: 404 });
  const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!sameSecret(sent, env.metricsToken)) {
    return new Response("Send the metrics token: Authorization: Bearer <WHARF_METRICS_TOKEN>.\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  const { contentType, text } = await metricsExposition(getWharf());
  return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}

export const dynamic = "force-dynamic";
