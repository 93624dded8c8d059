import { parse } from "yaml";

/** Docker's wait between SIGTERM and SIGKILL when compose sets no stop_grace_period. */
export const DEFAULT_STOP_GRACE_SECONDS = 10;

const UNITS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001, ns: 1e-9 };

/** A compose duration ("1m30s", "500ms", "10s", or a bare number of seconds) in seconds; null when it is not one. */
export function durationSeconds(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string" || !/^(\d+(\.\d+)?(h|ms|us|µs|ns|m|s))+$/.test(value.trim())) return null;
  let total = 0;
  for (const [, amount, , unit] of value.trim().matchAll(/(\d+(\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) total += Number(amount) * (UNITS[unit ?? "s"] ?? 1);
  return total;
}

/** Each service's stop_grace_period over the stack's files (a later file overrides an earlier one, as with -f). */
export function stopGracePeriods(files: { content: string }[]): Map<string, number> {
  const periods = new Map<string, number>();
  for (const file of files) {
    let document: unknown;
    try {
      document = parse(file.content);
    } catch {
      continue; // compose itself reports a file it cannot read
    }
    const services = typeof document === "object" && document !== null && "services" in document ? document.services : null;
    if (typeof services !== "object" || services === null) continue;
    for (const [name, service] of Object.entries(services as Record<string, unknown>)) {
      const seconds = typeof service === "object" && service !== null && "stop_grace_period" in service ? durationSeconds(service.stop_grace_period) : null;
      if (seconds !== null) periods.set(name, seconds);
      else if (!periods.has(name)) periods.set(name, DEFAULT_STOP_GRACE_SECONDS);
    }
  }
  return periods;
}

const formatSeconds = (seconds: number): string => `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;

/**
 * What a stop is about to wait for, said before compose goes quiet: a process
 * that ignores SIGTERM holds it for the whole grace period.
 */
export function stopWaitNote(files: { content: string }[], only?: string[]): string | null {
  const periods = [...stopGracePeriods(files)].filter(([service]) => !only || only.includes(service));
  if (periods.length === 0) return null;
  const longest = Math.max(...periods.map(([, seconds]) => seconds));
  const each = periods.map(([service, seconds]) => `${service} ${formatSeconds(seconds)}`).join(", ");
  return `Stopping waits up to ${formatSeconds(longest)} for a container to exit after SIGTERM before Docker kills it (stop_grace_period: ${each}).`;
}
