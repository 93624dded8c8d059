import { readdirSync } from "node:fs";
import path from "node:path";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@wharf/api";
import { describe, expect, it } from "vitest";

import { HTTP_ROUTES } from "./http-routes";

const API_DIR = path.join(import.meta.dirname, "..", "app", "api");

/** "/api/trpc/[trpc]" for app/api/trpc/[trpc]/route.ts. */
function routesUnder(dir: string, prefix = "/api"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isFile() && /^route\.tsx?$/.test(entry.name)) return [prefix];
    return entry.isDirectory() ? routesUnder(path.join(dir, entry.name), `${prefix}/${entry.name}`) : [];
  });
}

describe("HTTP routes", () => {
  it("every route under app/api declares who may call it", () => {
    expect(routesUnder(API_DIR).sort()).toEqual(Object.keys(HTTP_ROUTES).sort());
  });

  it("the tRPC route refuses every guarded procedure to a caller without a session, before any work", async () => {
    const guarded = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: { permission?: string; signedIn?: true } } }>).filter(
      ([, procedure]) => procedure._def.meta?.permission ?? procedure._def.meta?.signedIn,
    );
    expect(guarded.length).toBeGreaterThan(40);
    for (const [name, procedure] of guarded) {
      const method = procedure._def.type === "mutation" ? "POST" : "GET";
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(`http://wharf.test/api/trpc/${name}${method === "GET" ? "?input=%7B%7D" : ""}`, {
          method,
          headers: procedure._def.type === "subscription" ? { accept: "text/event-stream" } : { "content-type": "application/json" },
          ...(method === "POST" ? { body: "{}" } : {}),
        }),
        router: appRouter,
        // No database is reached: the session check comes first.
        createContext: () => ({ deps: {} as never, session: null, requestedTeamId: null, ip: null }),
      });
      const body = await response.text();
      if (procedure._def.type === "subscription") expect(body, name).toMatch(/UNAUTHORIZED/);
      else expect(response.status, name).toBe(401);
    }
  });
});
