import type { LogLine } from "./log-buffer";

/** A Docker timestamp as a sortable string: Docker trims the fraction's trailing zeros (".5Z" vs ".45Z"), so pad it to nanoseconds. */
export function timeKey(at: string): string {
  const dot = at.indexOf(".", 19);
  if (dot === -1) return `${at.slice(0, 19)}.000000000`;
  let end = dot + 1;
  while (end < at.length && at.charCodeAt(end) >= 48 && at.charCodeAt(end) <= 57) end++;
  return `${at.slice(0, 19)}.${at.slice(dot + 1, end).padEnd(9, "0")}`;
}

interface Pending {
  key: string;
  arrived: number;
  line: LogLine;
}

/**
 * Holds lines for a moment and releases them in timestamp order, so the
 * batches of different containers (each in order, but sent one container at
 * a time, e.g. the backlog of `--tail`) interleave as `compose logs` shows them.
 */
export class ReorderWindow {
  private pending: Pending[] = [];

  constructor(
    private readonly holdMs: number,
    /** Past this many held lines everything is released at once: memory stays bounded while nothing renders (a hidden tab). */
    private readonly maxPending: number,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  get overflowing(): boolean {
    return this.pending.length > this.maxPending;
  }

  add(lines: readonly LogLine[], now: number): void {
    for (const line of lines) this.pending.push({ key: timeKey(line.at), arrived: now, line });
  }

  /** The lines held for at least holdMs (all of them when overflowing), oldest timestamp first. */
  take(now: number): LogLine[] {
    let count = this.pending.length;
    if (!this.overflowing) {
      const cutoff = now - this.holdMs;
      count = 0;
      while (count < this.pending.length && (this.pending[count]?.arrived ?? now) <= cutoff) count++;
    }
    if (count === 0) return [];
    const ready = this.pending.slice(0, count);
    this.pending = this.pending.slice(count);
    let sorted = true;
    for (let index = 1; index < ready.length && sorted; index++) sorted = (ready[index - 1]?.key ?? "") <= (ready[index]?.key ?? "");
    if (!sorted) ready.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return ready.map((entry) => entry.line);
  }

  clear(): void {
    this.pending = [];
  }
}
