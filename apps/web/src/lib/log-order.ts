import { LogChunk, type LogLine } from "./log-buffer";

/** A Docker timestamp as a sortable string: Docker trims the fraction's trailing zeros (".5Z" vs ".45Z"), so pad it to nanoseconds. */
export function timeKey(at: string): string {
  const dot = at.indexOf(".", 19);
  if (dot === -1) return `${at.slice(0, 19)}.000000000`;
  let end = dot + 1;
  while (end < at.length && at.charCodeAt(end) >= 48 && at.charCodeAt(end) <= 57) end++;
  return `${at.slice(0, 19)}.${at.slice(dot + 1, end).padEnd(9, "0")}`;
}

interface Batch {
  arrived: number;
  chunk: LogChunk;
}

/**
 * Holds lines for a moment and releases them in timestamp order, so the
 * batches of different containers (each in order, but sent one container at
 * a time, e.g. the backlog of `--tail`) interleave as `compose logs` shows them.
 * Batches are kept as they came: lines of one container need no sort, so a
 * burst costs no per-line work here.
 */
export class ReorderWindow {
  private batches: Batch[] = [];
  private held = 0;
  /** Containers whose lines came since the last clear. */
  private readonly containers = new Set<string>();

  constructor(
    private readonly holdMs: number,
    /** Past this many held lines everything is released at once: memory stays bounded while nothing renders (a hidden tab). */
    private readonly maxPending: number,
    /**
     * Whether several containers are expected from the start (a stack of several services). If not,
     * nothing is held until a second container speaks: one container's lines come in order already,
     * and holding them only delays the end of a burst.
     */
    private readonly several = true,
  ) {}

  get size(): number {
    return this.held;
  }

  get overflowing(): boolean {
    return this.held > this.maxPending;
  }

  add(chunk: LogChunk, now: number): void {
    if (chunk.length === 0) return;
    this.batches.push({ arrived: now, chunk });
    this.held += chunk.length;
    this.containers.add(chunk.container);
  }

  /** The lines held for at least holdMs (all of them when overflowing or when one container speaks alone), oldest timestamp first. */
  take(now: number): LogChunk[] {
    let count = this.batches.length;
    if (!this.overflowing && (this.several || this.containers.size > 1)) {
      const cutoff = now - this.holdMs;
      count = 0;
      while (count < this.batches.length && (this.batches[count]?.arrived ?? now) <= cutoff) count++;
    }
    if (count === 0) return [];
    const ready = this.batches.slice(0, count).map((batch) => batch.chunk);
    this.batches = this.batches.slice(count);
    for (const chunk of ready) this.held -= chunk.length;
    const container = ready[0]?.container;
    if (ready.every((chunk) => chunk.container === container)) return ready;
    const keyed: { key: string; line: LogLine }[] = [];
    for (const chunk of ready) {
      for (let index = 0; index < chunk.length; index++) {
        const line = chunk.line(index);
        keyed.push({ key: timeKey(line.at), line });
      }
    }
    let sorted = true;
    for (let index = 1; index < keyed.length && sorted; index++) sorted = (keyed[index - 1]?.key ?? "") <= (keyed[index]?.key ?? "");
    if (sorted) return ready;
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return LogChunk.of(keyed.map((entry) => entry.line));
  }

  clear(): void {
    this.batches = [];
    this.held = 0;
    this.containers.clear();
  }
}
