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

/** One thing wrong with an input, located for a form or an editor: the field path and, for file contents, the file and line. */
export interface Problem {
  path: (string | number)[];
  message: string;
  file?: string;
  line?: number;
}

const WHARF_ERROR = Symbol.for("wharf.WharfError");

export class WharfError extends Error {
  override readonly name = "WharfError";
  readonly [WHARF_ERROR] = true;

  /** Next.js bundles instrumentation and routes apart, so this class may exist twice in one process: a shared brand tells its errors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && WHARF_ERROR in value;
  }

  constructor(
    readonly code: WharfErrorCode,
    message: string,
    /** Machine-readable cause for clients, e.g. "HOST_KEY_MISMATCH". */
    readonly reason?: string,
    /** Every problem found, when there can be several (validation). */
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

/** BAD_REQUEST listing every problem; the message names the first ones so it reads well on its own. */
export function invalidInput(problems: Problem[]): WharfError {
  const shown = problems.slice(0, 3).map((problem) => problem.message);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : "";
  return new WharfError("BAD_REQUEST", `${shown.join("; ")}${more}`, "INVALID_INPUT", problems);
}

export const notFound = (what: string): WharfError => new WharfError("NOT_FOUND", `${what} was not found.`);

const HTTP_STATUS: Record<WharfErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  HOST_UNREACHABLE: 502,
  HOST_TIMEOUT: 504,
  INTERNAL: 500,
};

/** The HTTP status of a domain error, for routes answering outside tRPC (the same mapping tRPC uses). */
export function httpStatusOf(error: WharfError): number {
  return HTTP_STATUS[error.code];
}
