import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";

import { afterAll, describe, expect, it } from "vitest";

import { readTar } from "./tar-reader";

const root = mkdtempSync(path.join(os.tmpdir(), "tar-reader-"));
const longName = "n".repeat(180);
mkdirSync(path.join(root, "tree", "dir", longName), { recursive: true });
writeFileSync(path.join(root, "tree", "dir", longName, "inner.txt"), "deep\n");
writeFileSync(path.join(root, "tree", "hello.txt"), "hello\n");
writeFileSync(path.join(root, "tree", "big.bin"), Buffer.alloc(70_000, 7));
symlinkSync("hello.txt", path.join(root, "tree", "link"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

// Docker's archives come from Go (ustar, PAX for long names); GNU tar's own long-name records are read too.
describe.each(["pax", "gnu"])("readTar (%s archives)", (format) => {
  it("lists every entry with its type, size and link, reads bodies and skips the rest", async () => {
    const archive = execFileSync("tar", ["-C", root, `--format=${format}`, "--sort=name", "-cf", "-", "tree"], { maxBuffer: 16 * 1024 * 1024 });
    const seen: Record<string, { type: string; size: number; link: string; body?: string }> = {};
    // Odd chunk sizes cross every header and body boundary.
    for await (const entry of readTar(Readable.from(chunks(archive, 333)))) {
      seen[entry.path] = { type: entry.type, size: entry.size, link: entry.type === "symlink" ? entry.linkTarget : "" };
      if (entry.path.endsWith(".txt")) seen[entry.path]!.body = (await entry.readBody(3)).toString();
    }
    expect(seen["tree/hello.txt"]).toEqual({ type: "file", size: 6, link: "", body: "hel" });
    expect(seen["tree/big.bin"]).toMatchObject({ type: "file", size: 70_000 });
    expect(seen["tree/link"]).toMatchObject({ type: "symlink", link: "hello.txt" });
    expect(seen[`tree/dir/${longName}`]).toMatchObject({ type: "directory" });
    expect(seen[`tree/dir/${longName}/inner.txt`]).toEqual({ type: "file", size: 5, link: "", body: "dee" });
  });
});
