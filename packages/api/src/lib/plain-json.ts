export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const marked = new WeakSet<object>();

/**
 * Marks an object made of JSON values only (the type says so), so the API's
 * transformer sends it as it is: superjson would walk every value of it to
 * find nothing to annotate, and a log event holds hundreds of lines.
 */
export function plainJson<T extends { [key: string]: Json }>(value: T): T {
  marked.add(value);
  return value;
}

export function isPlainJson(value: unknown): boolean {
  return typeof value === "object" && value !== null && marked.has(value);
}
