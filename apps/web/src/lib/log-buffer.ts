export interface LogLine {
  service: string;
  container: string;
  stream: "stdout" | "stderr";
  /** Docker's RFC 3339 timestamp, nanoseconds included. */
  at: string;
  line: string;
}

/**
 * The last `capacity` lines received, each numbered by arrival (`seq`), plus
 * the view a filter and a search make of them. Updated as lines arrive,
 * outside React: the list only re-renders once per animation frame, so a
 * million lines cost a million pushes, not a million renders.
 */
export class LogBuffer {
  private readonly lines: (LogLine | undefined)[];
  private start = 0;
  private size = 0;
  /** Seq of the next line (seqs stay unique across clears: lists key rows by them). */
  private nextSeq = 0;
  /** nextSeq at the last clear: lines received before it belong to an earlier stream. */
  private clearedAt = 0;
  /** Seqs of the lines the filter shows, oldest first, from `viewHead` on (dropped ones are skipped, then compacted). */
  private view: number[] = [];
  private viewHead = 0;
  private hidden = new Set<string>();
  private query = "";
  /** Seqs of shown lines containing the query. */
  private matchSeqs: number[] = [];
  private matchHead = 0;
  /** Bumped whenever the shown lines change: the cheap thing React compares. */
  version = 0;
  /** Shown lines dropped from the top so far (capacity reached): a list keeps its place by this much. */
  droppedTotal = 0;
  /** Every service a line came from. */
  readonly services = new Set<string>();

  constructor(readonly capacity: number) {
    this.lines = new Array<LogLine | undefined>(capacity);
  }

  /** Lines received since the last clear (a new stream, e.g. after Since changed). */
  get received(): number {
    return this.nextSeq - this.clearedAt;
  }

  get firstSeq(): number {
    return this.nextSeq - this.size;
  }

  get filtering(): boolean {
    return this.hidden.size > 0;
  }

  /** How many lines are shown (after the service filter). */
  get length(): number {
    return this.filtering ? this.view.length - this.viewHead : this.size;
  }

  get matchCount(): number {
    return this.matchSeqs.length - this.matchHead;
  }

  /** Appends lines, dropping the oldest beyond capacity. */
  push(batch: readonly LogLine[]): void {
    const before = this.firstSeq;
    for (const line of batch) {
      const seq = this.nextSeq++;
      this.services.add(line.service);
      this.lines[(this.start + this.size) % this.capacity] = line;
      if (this.size < this.capacity) this.size++;
      else this.start = (this.start + 1) % this.capacity;
      const shown = !this.hidden.has(line.service);
      if (shown && this.filtering) this.view.push(seq);
      if (shown && this.query && this.matches(line)) this.matchSeqs.push(seq);
    }
    this.droppedTotal += this.trim(before);
    if (batch.length > 0) this.version++;
  }

  /** Drops view and match entries of evicted lines; returns how many shown lines that was. */
  private trim(firstBefore: number): number {
    const first = this.firstSeq;
    let dropped = this.filtering ? 0 : first - firstBefore;
    if (this.filtering) {
      while (this.viewHead < this.view.length && (this.view[this.viewHead] ?? first) < first) {
        this.viewHead++;
        dropped++;
      }
      // Compact now and then: shifting the array on every eviction would be quadratic.
      if (this.viewHead > 65_536 && this.viewHead * 2 > this.view.length) {
        this.view = this.view.slice(this.viewHead);
        this.viewHead = 0;
      }
    }
    while (this.matchHead < this.matchSeqs.length && (this.matchSeqs[this.matchHead] ?? first) < first) this.matchHead++;
    if (this.matchHead > 65_536 && this.matchHead * 2 > this.matchSeqs.length) {
      this.matchSeqs = this.matchSeqs.slice(this.matchHead);
      this.matchHead = 0;
    }
    return dropped;
  }

  bySeq(seq: number): LogLine | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    return this.lines[(this.start + (seq - this.firstSeq)) % this.capacity];
  }

  /** Seq of the index-th shown line. */
  seqAt(index: number): number {
    return this.filtering ? (this.view[this.viewHead + index] ?? -1) : this.firstSeq + index;
  }

  /** Index among the shown lines of the line numbered `seq`, or -1. */
  indexOfSeq(seq: number): number {
    if (!this.filtering) return seq >= this.firstSeq && seq < this.nextSeq ? seq - this.firstSeq : -1;
    let low = this.viewHead;
    let high = this.view.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.view[middle] ?? -1;
      if (value === seq) return middle - this.viewHead;
      if (value < seq) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  at(index: number): LogLine | undefined {
    return this.bySeq(this.seqAt(index));
  }

  isHidden(service: string): boolean {
    return this.hidden.has(service);
  }

  /** Shows only lines of services not in `hidden`; rebuilds the view and the matches. */
  setHidden(hidden: ReadonlySet<string>): void {
    this.hidden = new Set(hidden);
    this.view = [];
    this.viewHead = 0;
    if (this.filtering) {
      for (let seq = this.firstSeq; seq < this.nextSeq; seq++) {
        const line = this.bySeq(seq);
        if (line && !this.hidden.has(line.service)) this.view.push(seq);
      }
    }
    this.rebuildMatches();
  }

  /** Case-insensitive search over the shown lines; empty clears it. */
  setQuery(query: string): void {
    this.query = query.toLowerCase();
    this.rebuildMatches();
  }

  /** The n-th match (0 = oldest) as a seq, or -1. */
  matchSeq(n: number): number {
    return this.matchSeqs[this.matchHead + n] ?? -1;
  }

  /** The first match at or after (forward) / at or before (backward) `seq`, as a match number; wraps around. */
  nearestMatch(seq: number, forward: boolean): number {
    const count = this.matchCount;
    if (count === 0) return -1;
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.matchSeq(middle) < seq) low = middle + 1;
      else high = middle;
    }
    // `low` is the first match >= seq.
    if (forward) return low < count ? low : 0;
    if (low < count && this.matchSeq(low) === seq) return low;
    return low > 0 ? low - 1 : count - 1;
  }

  clear(): void {
    this.lines.fill(undefined);
    this.services.clear();
    this.start = 0;
    this.size = 0;
    this.view = [];
    this.viewHead = 0;
    this.matchSeqs = [];
    this.matchHead = 0;
    this.clearedAt = this.nextSeq;
    this.version++;
  }

  /** Every shown line, oldest first, as `compose logs --timestamps` prints them. */
  toText(): string {
    const out: string[] = [];
    for (let index = 0; index < this.length; index++) {
      const line = this.at(index);
      if (line) out.push(`${line.container} | ${line.at} ${line.line}`);
    }
    return `${out.join("\n")}\n`;
  }

  private matches(line: LogLine): boolean {
    return line.line.toLowerCase().includes(this.query);
  }

  private rebuildMatches(): void {
    this.matchSeqs = [];
    this.matchHead = 0;
    if (this.query) {
      for (let index = 0; index < this.length; index++) {
        const line = this.at(index);
        if (line && this.matches(line)) this.matchSeqs.push(this.seqAt(index));
      }
    }
    this.version++;
  }
}
