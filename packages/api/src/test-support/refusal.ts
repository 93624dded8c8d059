import type { TRPCError } from "@trpc/server";

/** The error a call was refused with; fails the test when the call succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  return (await promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: unknown) => error,
  )) as TRPCError;
}
