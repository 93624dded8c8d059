import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "wharf-ssh2-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const index = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "index.ts")).href;

// In a process of its own: whether ssh2 is loaded is per process, and other tests load it.
const script = `
import { createRequire } from "node:module";
const { generateKeyPair, SshPool } = await import(${JSON.stringify(index)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes("/node_modules/ssh2/"));
const pool = new SshPool({});
const afterPool = loaded();
generateKeyPair("lazy");
console.log(JSON.stringify({ afterPool, afterFirstUse: loaded() }));
await pool.closeAll();
`;

describe("ssh2", () => {
  // A new Node process compiling the package: slow on a loaded machine.
  it("is not loaded by importing the package or creating a pool (a server starts without it), only by the first SSH use", { timeout: 60_000 }, async () => {
    const file = path.join(dir, "probe.mts");
    writeFileSync(file, script);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, file], { encoding: "utf8" });
    expect(JSON.parse(stdout)).toEqual({ afterPool: false, afterFirstUse: true });
  });
});
