import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

import { type EmbeddedPostgresHandle, migrateDatabase, startEmbeddedPostgres } from "@wharf/db";

import { childEnv, REPO_ROOT, testEnv } from "./env";

/** Runs a command (argv array) from the repository root; resolves with its exit code. */
/**
 * Runs a command from the repository root. `buffered`: its output is printed
 * under `title` once it ends, so commands run side by side keep their output apart.
 */
export function runCommand(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; quiet?: boolean; buffered?: { title: string } } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: options.env ?? childEnv(),
      stdio: options.quiet ? ["ignore", "ignore", "inherit"] : options.buffered ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    const output: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    const finish = (code: number) => {
      if (options.buffered) {
        announce(options.buffered.title);
        process.stdout.write(Buffer.concat(output));
      }
      resolve(code);
    };
    child.on("error", () => finish(127));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

export function announce(title: string): void {
  process.stdout.write(`\n=== ${title}\n`);
}

export async function mustRun(title: string, command: string, args: string[]): Promise<void> {
  announce(title);
  const code = await runCommand(command, args);
  if (code !== 0) throw new Error(`${title} failed (exit ${code})`);
}

/**
 * System packages, the Prisma client, the agent executable and N sandbox
 * hosts. With `reuseRunning`, a healthy sandbox is kept as it is; the result
 * says whether this call started it (and so should stop it).
 */
export async function prepareHosts(hosts: number, options: { reuseRunning?: boolean } = {}): Promise<{ startedSandbox: boolean }> {
  await prepareTooling();
  return startHosts(hosts, options);
}

/** What lint and typecheck need too: the system packages and the Prisma client. */
export async function prepareTooling(): Promise<void> {
  await mustRun("System packages (Docker engine, compose v2, sshd, Chromium, registry)", "bash", ["docker/sandbox/install-deps.sh"]);
  await mustRun("Prisma client", "npx", ["prisma", "generate"]);
}

/** The agent executable and N sandbox hosts (after prepareTooling). */
export async function startHosts(hosts: number, options: { reuseRunning?: boolean } = {}): Promise<{ startedSandbox: boolean }> {
  await mustRun("Agent executable", "npm", ["run", "build", "-w", "@wharf/agent"]);
  if (options.reuseRunning && (await runCommand("bash", ["docker/sandbox/sandbox.sh", "status"], { quiet: true })) === 0) {
    announce("Sandbox hosts: reusing the running sandbox");
    return { startedSandbox: false };
  }
  await mustRun(`Sandbox hosts (${hosts} x netns + dockerd + sshd)`, "bash", ["docker/sandbox/sandbox.sh", "up", "--hosts", String(hosts)]);
  return { startedSandbox: true };
}

export async function stopSandbox(): Promise<void> {
  if (!testEnv.keepSandbox) await runCommand("bash", ["docker/sandbox/sandbox.sh", "down"], { quiet: true });
}

/** A fresh, migrated PostgreSQL with the given databases. */
export async function startTestPostgres(databases: string[]): Promise<EmbeddedPostgresHandle> {
  announce("PostgreSQL");
  const dataDir = path.join(testEnv.stateDir, "postgres");
  rmSync(dataDir, { recursive: true, force: true });
  const postgres = await startEmbeddedPostgres({ dataDir, port: testEnv.postgresPort, databases });
  for (const database of databases) await migrateDatabase(postgres.urlFor(database));
  return postgres;
}
