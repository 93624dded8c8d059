import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The directory of prisma.config.ts above this module: packages/db/src from source, or wherever a bundle of it lives. */
function findRepoRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "prisma.config.ts"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no prisma.config.ts in any directory above ${start}`);
  }
}

/** Applies committed migrations with the Prisma CLI (offline Wasm engine, see prisma.config.ts). */
export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const repoRoot = findRepoRoot();
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js", { paths: [repoRoot] });
  const { stdout } = await run(process.execPath, [prismaCli, "migrate", "deploy"], {
    cwd: repoRoot,
    // NODE_ENV is spelled out: Next.js's global types (apps/web compiles this file) make it required.
    env: { PATH: defaultPath(), HOME: path.join(repoRoot, ".data"), DATABASE_URL: databaseUrl, NODE_ENV: "production" },
  });
  return stdout;
}

function defaultPath(): string {
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}
