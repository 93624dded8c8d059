import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

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
