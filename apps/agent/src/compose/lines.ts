import { StringDecoder } from "node:string_decoder";

/**
 * Splits a byte stream into lines without their newline. A line longer than
 * `max` characters comes out in pieces of `max`, so one chatty line without a
 * newline cannot grow the agent's memory.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly max: number) {}

  push(chunk: Buffer): string[] {
    const text = this.pending + this.decoder.write(chunk);
    const lines = text.split("\n");
    this.pending = lines.pop() ?? "";
    const out: string[] = [];
    for (const line of lines) this.cap(line, out);
    if (this.pending.length >= this.max) {
      const whole = this.pending.length - (this.pending.length % this.max);
      this.cap(this.pending.slice(0, whole), out);
      this.pending = this.pending.slice(whole);
    }
    return out;
  }

  /** The last line when the stream ended without a newline. */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    const out: string[] = [];
    if (rest !== "") this.cap(rest, out);
    return out;
  }

  private cap(line: string, out: string[]): void {
    if (line.length <= this.max) {
      out.push(line);
      return;
    }
    for (let start = 0; start < line.length; start += this.max) out.push(line.slice(start, start + this.max));
  }
}
