import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { hash } from "@node-rs/argon2";
import { type AppRouter, closeWharfDeps, createCaller, createWharfDeps, type WharfDeps } from "@wharf/api";
import type { Role } from "@wharf/db";

import { REPO_ROOT, testEnv } from "./env";

/**
 * Real collaborators against the test database and the built agent. Each
 * gets its own data directory (so its own master key) unless the process was
 * given one to share.
 */
export function createTestDeps(databaseUrl = testEnv.databaseUrl): WharfDeps {
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run the suites through `npm test`.");
  return createWharfDeps({
    databaseUrl,
    dataDir: testEnv.dataDir ?? mkdtempSync(path.join(tmpdir(), "wharf-test-data-")),
    agentDistDir: path.join(REPO_ROOT, "apps", "agent", "dist"),
    publicUrl: "http://localhost:3000",
  });
}

export async function resetDatabase(deps: WharfDeps): Promise<void> {
  await deps.db.$executeRawUnsafe(
    'TRUNCATE "AuditEvent", "Host", "SshCredential", "Membership", "Team", "User", "SetupToken", "SignInLimit" RESTART IDENTITY CASCADE',
  );
}

/** Deps over an emptied database: the start of a suite that owns the test database while it runs. */
export async function freshTestDeps(): Promise<WharfDeps> {
  const deps = createTestDeps();
  await resetDatabase(deps);
  return deps;
}

export type Caller = ReturnType<typeof createCaller>;

export interface TestUser {
  userId: string;
  teamId: string;
  email: string;
  caller: Caller;
}

let counter = 0;

/** A user with a role in a team (a new team unless one is given), and a caller signed in as them. */
export async function createTestUser(deps: WharfDeps, options: { role?: Role; teamId?: string; password?: string } = {}): Promise<TestUser> {
  counter += 1;
  const email = `user${counter}-${Date.now()}@example.test`;
  const user = await deps.db.user.create({
    data: { email, name: `User ${counter}`, passwordHash: await hash(options.password ?? "correct horse battery") },
  });
  const teamId =
    options.teamId ??
    (await deps.db.team.create({ data: { name: `Team ${counter}`, slug: `team-${counter}-${Date.now()}`, environments: { create: { name: "default" } } } })).id;
  await deps.db.membership.create({ data: { userId: user.id, teamId, role: options.role ?? "OWNER" } });
  return { userId: user.id, teamId, email, caller: callerFor(deps, user.id) };
}

export function callerFor(deps: WharfDeps, userId: string | null): Caller {
  return createCaller({ deps, session: userId ? { userId } : null, requestedTeamId: null, ip: "127.0.0.1" });
}

export { closeWharfDeps };
export type { AppRouter };
