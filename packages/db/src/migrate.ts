import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Applies committed migrations with the Prisma CLI (offline Wasm engine, see prisma.config.ts). */
export async function migrateDatabase(databaseUrl: string): Promise<string> {
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
