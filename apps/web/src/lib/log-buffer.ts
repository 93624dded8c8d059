export interface LogLine {
  service: string;
  container: string;
  stream: "stdout" | "stderr";
  /** Docker's RFC 3339 timestamp, nanoseconds included. */
  at: string;
  line: string;
}

/** A line as a batch of one container carries it. */
export type BatchLine = Pick<LogLine, "stream" | "at" | "line">;

/**
 * Consecutive lines of one container, packed into two strings and offsets.
 * The buffer keeps lines for long, so each would survive the young-generation
 * collections of a burst and be copied by them: a chunk is a handful of
 * objects for hundreds of lines, where separate lines are three objects each.
 * Lines are rebuilt on demand, for the rows in view.
 */
export class LogChunk {
  readonly length: number;
  private readonly texts: string;
  private readonly textEnds: Uint32Array;
  private readonly times: string;
  private readonly timeEnds: Uint32Array;
  /** Null when every line is stdout, the usual case. */
  private readonly stderr: Uint8Array | null;

  constructor(
    readonly service: string,
    readonly container: string,
    lines: readonly BatchLine[],
  ) {
    this.length = lines.length;
    this.textEnds = new Uint32Array(lines.length);
    this.timeEnds = new Uint32Array(lines.length);
    const texts = new Array<string>(lines.length);
    const times = new Array<string>(lines.length);
    let stderr: Uint8Array | null = null;
    let textEnd = 0;
    let timeEnd = 0;
    lines.forEach((line, index) => {
      texts[index] = line.line;
      times[index] = line.at;
      this.textEnds[index] = textEnd += line.line.length;
      this.timeEnds[index] = timeEnd += line.at.length;
      if (line.stream === "stderr") (stderr ??= new Uint8Array(lines.length))[index] = 1;
    });
    // join() makes one flat string (concatenation would keep a tree of pieces).
    this.texts = texts.join("");
    this.times = times.join("");
    this.stderr = stderr;
  }

  /** Runs of consecutive lines of one container, as chunks. */
  static of(lines: readonly LogLine[]): LogChunk[] {
    const chunks: LogChunk[] = [];
    let start = 0;
    for (let index = 1; index <= lines.length; index++) {
      const first = lines[start];
      if (first && (index === lines.length || lines[index]?.container !== first.container)) {
        chunks.push(new LogChunk(first.service, first.container, lines.slice(start, index)));
        start = index;
      }
    }
    return chunks;
  }

  text(index: number): string {
    return this.texts.slice(index === 0 ? 0 : (this.textEnds[index - 1] ?? 0), this.textEnds[index] ?? 0);
  }

  line(index: number): LogLine {
    return {
      service: this.service,
      container: this.container,
      stream: this.stderr?.[index] === 1 ? "stderr" : "stdout",
      at: this.times.slice(index === 0 ? 0 : (this.timeEnds[index - 1] ?? 0), this.timeEnds[index] ?? 0),
      line: this.text(index),
    };
  }
}

/**
 * The last `capacity` lines received, each numbered by arrival (`seq`), plus
 * the view a filter and a search make of them. Updated as lines arrive,
 * outside React: the list only re-renders once per animation frame, so a
 * million lines cost a few thousand chunk pushes, not a million renders.
 */
export class LogBuffer {
  /** Chunks holding the kept lines, oldest first from `chunkHead` on; the first may hold evicted lines too. */
  private chunks: (LogChunk | undefined)[] = [];
  /** Seq of each chunk's first line, beside `chunks`. */
  private chunkSeqs: number[] = [];
  private chunkHead = 0;
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

  constructor(readonly capacity: number) {}

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
  push(chunks: readonly LogChunk[]): void {
    const before = this.firstSeq;
    let added = 0;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.chunks.push(chunk);
      this.chunkSeqs.push(this.nextSeq);
      this.services.add(chunk.service);
      const shown = !this.hidden.has(chunk.service);
      for (let index = 0; index < chunk.length; index++) {
        const seq = this.nextSeq++;
        if (shown && this.filtering) this.view.push(seq);
        if (shown && this.query && this.matches(chunk.text(index))) this.matchSeqs.push(seq);
      }
      added += chunk.length;
    }
    this.size = Math.min(this.capacity, this.size + added);
    this.evictChunks();
    this.droppedTotal += this.trim(before);
    if (added > 0) this.version++;
  }

  /** Lets go of chunks whose lines were all evicted. */
  private evictChunks(): void {
    const first = this.firstSeq;
    while (this.chunkHead < this.chunks.length - 1 && (this.chunkSeqs[this.chunkHead + 1] ?? Infinity) <= first) this.chunks[this.chunkHead++] = undefined;
    // Compact now and then: shifting the arrays on every eviction would be quadratic.
    if (this.chunkHead > 1_024 && this.chunkHead * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.chunkHead);
      this.chunkSeqs = this.chunkSeqs.slice(this.chunkHead);
      this.chunkHead = 0;
    }
  }

  /** The chunk holding `seq` (kept) and the line's index in it. */
  private locate(seq: number): { chunk: LogChunk; index: number } | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    let low = this.chunkHead;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.chunkSeqs[middle] ?? Infinity) <= seq) low = middle;
      else high = middle - 1;
    }
    const chunk = this.chunks[low];
    return chunk ? { chunk, index: seq - (this.chunkSeqs[low] ?? 0) } : undefined;
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
    const found = this.locate(seq);
    return found?.chunk.line(found.index);
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
        const found = this.locate(seq);
        if (found && !this.hidden.has(found.chunk.service)) this.view.push(seq);
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
    this.chunks = [];
    this.chunkSeqs = [];
    this.chunkHead = 0;
    this.services.clear();
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

  private matches(text: string): boolean {
    return text.toLowerCase().includes(this.query);
  }

  private rebuildMatches(): void {
    this.matchSeqs = [];
    this.matchHead = 0;
    if (this.query) {
      for (let index = 0; index < this.length; index++) {
        const seq = this.seqAt(index);
        const found = this.locate(seq);
        if (found && this.matches(found.chunk.text(found.index))) this.matchSeqs.push(seq);
      }
    }
    this.version++;
  }
}
