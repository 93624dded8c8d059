import type { Readable } from "node:stream";

import { extract, type Header } from "tar-stream";

/** An entry of the tar streams Docker's archive API answers with, as volume browsing needs it. */
export interface TarEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget: string;
}

function entryType(type: Header["type"]): TarEntry["type"] {
  if (type === "file" || type === "contiguous-file") return "file";
  if (type === "directory" || type === "symlink") return type;
  return "other";
}

/** Up to `limit` bytes of an entry's body: resolves as soon as it has them, and lets the rest flow past. */
function readBody(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const done = (): void => resolve(Buffer.concat(chunks));
    body.on("data", (chunk: Buffer) => {
      if (kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      chunks.push(part);
      kept += part.length;
      if (kept >= limit) done();
    });
    body.once("end", done);
    body.once("error", reject);
  });
}

/**
 * The archive's entries in order. Between two steps of the iteration the
 * caller may read the current entry's body once with `readBody`; what it does
 * not read is skipped. Stopping the iteration early leaves the rest unread.
 */
export async function* readTar(source: Readable): AsyncGenerator<TarEntry & { readBody(limit: number): Promise<Buffer> }, void, undefined> {
  const extractor = extract();
  source.on("error", (error) => extractor.destroy(error));
  source.pipe(extractor);
  for await (const entry of extractor) {
    const { header } = entry;
    let read = false;
    yield {
      path: header.name.replace(/\/+$/, ""),
      type: entryType(header.type),
      size: header.size,
      mode: header.mode & 0o7777,
      mtime: Math.floor(header.mtime.getTime() / 1000),
      linkTarget: header.linkname,
      readBody(limit: number) {
        if (read) throw new Error("an entry's body is read once");
        read = true;
        return readBody(entry as unknown as Readable, limit);
      },
    };
    if (!read) entry.resume();
  }
}
