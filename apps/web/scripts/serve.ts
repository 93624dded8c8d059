/**
 * Starts Wharf: the database (embedded Postgres unless DATABASE_URL is set),
 * migrations, the auth secret, then the Next.js server in this same process;
 * prints the one-time setup link while nobody has signed up.
 *
 *   node apps/web/dist/server.mjs    production: this file compiled by `npm run build -w @wharf/web`
 *   npm run dev -w @wharf/web        next dev, from source
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { issueSetupLink } from "@wharf/api/services/setup";
import { createDb, type EmbeddedPostgresHandle, migrateDatabase, startEmbeddedPostgres } from "@wharf/db";

import { applyServerEnv, env } from "../src/env";
import { onShutdown } from "../src/server/shutdown-hooks";
import { startNextServer } from "./next-server";

// scripts/serve.ts from source, dist/server.mjs once built: apps/web either way.
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");

const say = (message: string): void => console.log(`[wharf] ${message}`);

/** Generated once and kept, so sessions survive restarts. */
function loadAuthSecret(): string {
  if (env.authSecret) return env.authSecret;
  const file = path.join(env.dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  say(`Generated the session secret in ${file}`);
  return secret;
}

async function startDatabase(): Promise<{ url: string; embedded: EmbeddedPostgresHandle | null }> {
  if (env.databaseUrl) return { url: env.databaseUrl, embedded: null };
  const dataDir = path.join(env.dataDir, "postgres");
  say(`Starting embedded PostgreSQL on port ${env.embeddedPgPort} (data in ${dataDir})`);
  const log: string[] = [];
  try {
    const embedded = await startEmbeddedPostgres({ dataDir, port: env.embeddedPgPort, onLog: (line) => log.push(line) });
    return { url: embedded.url, embedded };
  } catch (error) {
    console.error(log.slice(-20).join("\n"));
    throw new Error(`Embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

type Health = { ok: true } | { ok: false; error: string | null };

async function checkHealth(): Promise<Health | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${env.port}/api/health`, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) return { ok: true };
    // 503 carries the reason the server cannot work (e.g. the agent is not built).
    if (response.status === 503) {
      const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
      return { ok: false, error: typeof body?.error === "string" ? body.error : null };
    }
    return null;
  } catch {
    return null;
  }
}

async function announce(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    const link = await issueSetupLink(db, env.publicUrl);
    console.log("");
    if (link) console.log(`  Wharf is running at ${env.publicUrl} — open this one-time link to create the owner: ${link}`);
    else console.log(`  Wharf is running at ${env.publicUrl}`);
    console.log("");
  } finally {
    await db.$disconnect();
  }
}

async function main(): Promise<number> {
  mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
  if (!dev && !existsSync(path.join(appDir, ".next", "BUILD_ID"))) {
    console.error("[wharf] The web app is not built yet: run `npm run build -w @wharf/web` first (or `npm run dev -w @wharf/web`).");
    return 1;
  }
  const { url, embedded } = await startDatabase();
  const stopDatabase = async (): Promise<void> => {
    await embedded?.stop().catch((error: unknown) => console.error("[wharf] Stopping embedded PostgreSQL failed:", error));
  };
  try {
    say("Applying database migrations");
    await migrateDatabase(url);
    applyServerEnv({ databaseUrl: url, authSecret: loadAuthSecret() });
    // The server's shutdown (server/wharf.ts) stops the deployment runner, then this.
    onShutdown(stopDatabase);
    await startNextServer({ appDir, dev, port: env.port, trustedProxies: env.trustedProxies });
  } catch (error) {
    await stopDatabase();
    throw error;
  }

  const health = await checkHealth();
  if (health && !health.ok) {
    console.error(`[wharf] Wharf cannot serve requests: ${health.error ?? "the health check failed"}`);
    // The same way out as a `docker stop`: the server's own shutdown, then the database.
    process.kill(process.pid, "SIGTERM");
    return new Promise(() => undefined);
  }
  await announce(url).catch((error: unknown) => console.error("[wharf] Could not issue the setup link:", error));
  // Serving from here on; the server's shutdown ends the process.
  return new Promise(() => undefined);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[wharf] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
