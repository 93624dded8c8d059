/**
 * Domain failures thrown by services. One tRPC middleware maps them to HTTP-ish
 * codes (see trpc.ts); services never import tRPC.
 */
export type WharfErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "TOO_MANY_REQUESTS"
  | "HOST_UNREACHABLE"
  | "HOST_TIMEOUT"
  | "INTERNAL";

export class WharfError extends Error {
  override readonly name = "WharfError";

  constructor(
    readonly code: WharfErrorCode,
    message: string,
    /** Machine-readable cause for clients, e.g. "HOST_KEY_MISMATCH". */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): WharfError => new WharfError("NOT_FOUND", `${what} was not found.`);
