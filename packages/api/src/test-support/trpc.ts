import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { expect } from "vitest";

import type { WharfDeps } from "../deps";
import { appRouter } from "../root";

/** Awaits a call that must fail with this tRPC code and a message matching `message`; returns the error. */
export async function expectTrpcError(promise: Promise<unknown>, code: TRPCError["code"], message: RegExp): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(trpcError.code).toBe(code);
  expect(trpcError.message).toMatch(message);
  return trpcError;
}

/** A call as a browser makes it, through the fetch adapter: GET for queries and subscriptions (as an event stream), POST for mutations. */
export async function httpCall(
  deps: WharfDeps,
  userId: string,
  path: string,
  type: "query" | "mutation" | "subscription",
  input: unknown,
  requestedTeamId: string | null = null,
): Promise<{ status: number; body: string }> {
  const url = new URL(`http://wharf.test/api/trpc/${path}`);
  const payload = JSON.stringify(superjson.serialize(input));
  if (type !== "mutation") url.searchParams.set("input", payload);
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url, {
      method: type === "mutation" ? "POST" : "GET",
      headers: type === "subscription" ? { accept: "text/event-stream" } : { "content-type": "application/json" },
      ...(type === "mutation" ? { body: payload } : {}),
    }),
    router: appRouter,
    createContext: () => ({ deps, session: { userId }, requestedTeamId, ip: "127.0.0.1" }),
  });
  return { status: response.status, body: await response.text() };
}
