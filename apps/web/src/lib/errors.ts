import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@wharf/api";
import type { Problem } from "@wharf/api/errors";
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

type ClientError = TRPCClientError<AppRouter>;

function asClientError(error: unknown): ClientError | null {
  return error instanceof TRPCClientError ? (error as ClientError) : null;
}

/** Server messages are written for people already; only transport failures and raw validation errors need wording. */
export function errorMessage(error: unknown): string {
  const client = asClientError(error);
  if (client && !client.data && /fetch|network/i.test(client.message)) return "Wharf's server cannot be reached. Check that it is running.";
  // The message of an input validation error is the serialized zod issue list: show the first readable one.
  const firstFieldError = Object.values(fieldErrors(error)).find((messages) => messages?.length)?.[0];
  if (firstFieldError) return firstFieldError;
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** Machine-readable cause set by the API, e.g. "HOST_KEY_MISMATCH". */
export function errorReason(error: unknown): string | null {
  return asClientError(error)?.data?.reason ?? null;
}

export function errorCode(error: unknown): string | null {
  return asClientError(error)?.data?.code ?? null;
}

/** Every located problem the API reported, e.g. a compose file and line, or each failed preflight check. */
export function errorProblems(error: unknown): Problem[] {
  return asClientError(error)?.data?.problems ?? [];
}

function fieldErrors(error: unknown): Partial<Record<string, string[]>> {
  return asClientError(error)?.data?.fieldErrors ?? {};
}

/**
 * Puts the API's zod field errors next to the matching inputs; returns whether any matched.
 * `aliases` maps API fields onto differently named form fields (e.g. credential → privateKey).
 */
export function applyFieldErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly Path<T>[],
  aliases: Partial<Record<string, Path<T>>> = {},
): boolean {
  const errors = fieldErrors(error);
  let applied = false;
  for (const [apiField, field] of [...fields.map((name) => [name, name] as const), ...Object.entries(aliases)]) {
    const message = errors[apiField]?.[0];
    if (field && message) {
      setError(field, { type: "server", message }, { shouldFocus: !applied });
      applied = true;
    }
  }
  return applied;
}
