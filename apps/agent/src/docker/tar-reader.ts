/**
 * A forward-only reader of the tar streams Docker's archive API answers with
 * (Go's archive/tar: ustar, PAX extended headers, GNU long names). Only what
 * browsing needs: headers, and a body read up to a limit or skipped.
 */

export interface TarEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget: string;
}

const BLOCK = 512;

class ChunkReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly source: AsyncIterator<Buffer | Uint8Array>) {}

  private async fill(bytes: number): Promise<void> {
    while (this.buffered < bytes && !this.ended) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }

  /** Exactly `bytes` bytes, or null when the stream ends first. */
  async read(bytes: number): Promise<Buffer | null> {
    await this.fill(bytes);
    if (this.buffered < bytes) return null;
    const out = Buffer.allocUnsafe(bytes);
    let offset = 0;
    while (offset < bytes) {
      const chunk = this.chunks[0] as Buffer;
      const take = Math.min(chunk.length, bytes - offset);
      chunk.copy(out, offset, 0, take);
      offset += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    this.buffered -= bytes;
    return out;
  }

  async skip(bytes: number): Promise<void> {
    let left = bytes;
    while (left > 0) {
      if (this.buffered === 0) await this.fill(1);
      const chunk = this.chunks[0];
      if (!chunk) throw new Error("the archive ended inside an entry");
      const take = Math.min(chunk.length, left);
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
      this.buffered -= take;
      left -= take;
    }
  }
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString("utf8");
}

function octal(block: Buffer, start: number, length: number): number {
  // Go writes sizes past 8 GiB in base-256: the high bit of the first byte marks it.
  if ((block[start] ?? 0) & 0x80) {
    let value = (block[start] ?? 0) & 0x7f;
    for (let index = start + 1; index < start + length; index++) value = value * 256 + (block[index] ?? 0);
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === "" ? 0 : Number.parseInt(digits, 8);
}

/** PAX records: "<length> <key>=<value>\n", repeated. */
function paxRecords(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(body.subarray(offset, space).toString("ascii"), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, offset + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

function entryType(flag: string): TarEntry["type"] {
  if (flag === "0" || flag === "\0" || flag === "" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "2") return "symlink";
  return "other";
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * The archive's entries in order. Between two steps of the iteration the
 * caller may read the current entry's body once with `readBody`; what it does
 * not read is skipped. Stopping the iteration early leaves the rest unread.
 */
export async function* readTar(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<TarEntry & { readBody(limit: number): Promise<Buffer> }, void, undefined> {
  const reader = new ChunkReader(source[Symbol.asyncIterator]());
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block || block.every((byte) => byte === 0)) return;
    const flag = String.fromCharCode(block[156] ?? 0);
    const size = pax.has("size") ? Number(pax.get("size")) : octal(block, 124, 12);
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      const body = await reader.read(size + padding(size));
      if (!body) throw new Error("the archive ended inside an extended header");
      const content = body.subarray(0, size);
      if (flag === "x") pax = paxRecords(content);
      else if (flag === "L") longName = text(content, 0, content.length);
      else if (flag === "K") longLink = text(content, 0, content.length);
      continue;
    }
    const prefix = text(block, 257, 6) === "ustar" ? text(block, 345, 155) : "";
    const name = text(block, 0, 100);
    const path = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    const entry: TarEntry = {
      path: path.replace(/\/+$/, ""),
      type: entryType(flag),
      size,
      mode: octal(block, 100, 8) & 0o7777,
      mtime: pax.has("mtime") ? Math.floor(Number(pax.get("mtime"))) : octal(block, 136, 12),
      linkTarget: pax.get("linkpath") ?? longLink ?? text(block, 157, 100),
    };
    pax = new Map();
    longName = null;
    longLink = null;
    const bodySize = entry.type === "directory" || entry.type === "symlink" ? 0 : size;
    let read = 0;
    yield {
      ...entry,
      async readBody(limit: number) {
        if (read > 0) throw new Error("an entry's body is read once");
        read = Math.min(limit, bodySize);
        return (await reader.read(read)) ?? Buffer.alloc(0);
      },
    };
    await reader.skip(bodySize - read + padding(bodySize));
  }
}
