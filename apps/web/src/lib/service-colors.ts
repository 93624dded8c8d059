// Readable on the light page and on the dark log background alike; distinct neighbours first.
const PALETTE = [
  "text-sky-600 dark:text-sky-400",
  "text-fuchsia-600 dark:text-fuchsia-400",
  "text-emerald-600 dark:text-emerald-400",
  "text-amber-600 dark:text-amber-400",
  "text-violet-600 dark:text-violet-400",
  "text-rose-600 dark:text-rose-400",
  "text-teal-600 dark:text-teal-400",
  "text-orange-600 dark:text-orange-400",
  "text-indigo-600 dark:text-indigo-400",
  "text-lime-700 dark:text-lime-400",
] as const;

/** On the always-dark log view. */
const DARK_PALETTE = [
  "text-sky-400",
  "text-fuchsia-400",
  "text-emerald-400",
  "text-amber-400",
  "text-violet-400",
  "text-rose-400",
  "text-teal-400",
  "text-orange-400",
  "text-indigo-400",
  "text-lime-400",
] as const;

function hash(text: string): number {
  let value = 0;
  for (let index = 0; index < text.length; index++) value = (value * 31 + text.charCodeAt(index)) >>> 0;
  return value;
}

/**
 * A service's colour: by its place among the stack's services (sorted), so a
 * stack's services never share one and keep it across pages and reloads; by
 * a hash of its name for a service the list does not know.
 */
function colorIndex(service: string, services: readonly string[]): number {
  const index = [...services].sort().indexOf(service);
  return (index >= 0 ? index : hash(service)) % PALETTE.length;
}

export function serviceColor(service: string, services: readonly string[]): string {
  return PALETTE[colorIndex(service, services)] ?? PALETTE[0];
}

export function serviceColorOnDark(service: string, services: readonly string[]): string {
  return DARK_PALETTE[colorIndex(service, services)] ?? DARK_PALETTE[0];
}
