import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@wharf/api";
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

type ClientError = TRPCClientError<AppRouter>;

function asClientError(error: unknown): ClientError | null {
  return error instanceof TRPCClientError ? (error as ClientError) : null;
}

/** Server messages are written for people already; only transport failures need wording. */
export function errorMessage(error: unknown): string {
  const client = asClientError(error);
  if (client && !client.data && /fetch|network/i.test(client.message)) return "Wharf's server cannot be reached. Check that it is running.";
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** Machine-readable cause set by the API, e.g. "HOST_KEY_MISMATCH". */
export function errorReason(error: unknown): string | null {
  return asClientError(error)?.data?.reason ?? null;
}

export function errorCode(error: unknown): string | null {
  return asClientError(error)?.data?.code ?? null;
}

export function fieldErrors(error: unknown): Partial<Record<string, string[]>> {
  return asClientError(error)?.data?.fieldErrors ?? {};
}

/** Puts the API's zod field errors next to the matching inputs; returns whether any matched. */
export function applyFieldErrors<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): boolean {
  const errors = fieldErrors(error);
  let applied = false;
  for (const field of fields) {
    const message = errors[field]?.[0];
    if (message) {
      setError(field, { type: "server", message }, { shouldFocus: !applied });
      applied = true;
    }
  }
  return applied;
}
