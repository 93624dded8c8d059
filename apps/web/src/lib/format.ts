import { format, formatDistanceToNowStrict } from "date-fns";

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** 1536 → "1.5 KB" (powers of 1024, as Docker reports sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return "0 B";
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(1024)), BYTE_UNITS.length - 1);
  const value = bytes / 1024 ** exponent;
  return `${value >= 10 || exponent === 0 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[exponent]}`;
}

export function toDate(value: Date | string | null | undefined): Date | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatRelative(date: Date): string {
  // "0 seconds ago" reads like a glitch; clocks a few seconds apart should not show "in 2 seconds" either.
  if (Math.abs(Date.now() - date.getTime()) < 5_000) return "just now";
  return formatDistanceToNowStrict(date, { addSuffix: true });
}

export function formatExact(date: Date): string {
  return format(date, "yyyy-MM-dd HH:mm:ss xxx");
}

/** Docker ids are "sha256:<64 hex>"; people recognise the first 12 characters. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** How long a job ran, in whole seconds; null until it has finished. */
export function jobSeconds(job: { startedAt: Date | null; finishedAt: Date | null }): number | null {
  if (!job.startedAt || !job.finishedAt) return null;
  return Math.max(0, Math.round((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000));
}

/** A job's run time as "42 s" or "3 min 5 s"; null until it has finished. */
export function jobDuration(job: { startedAt: Date | null; finishedAt: Date | null }): string | null {
  const seconds = jobSeconds(job);
  if (seconds === null) return null;
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
