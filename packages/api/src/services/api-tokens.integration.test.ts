import { createHash } from "node:crypto";

import { createCaller, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { seedRows, serveRest, tokenFor } from "../test-support/rest";
import { expectTrpcError } from "../test-support/trpc";
import { authenticateApiToken } from "./api-tokens";

let deps: WharfDeps;
let owner: TestUser;
let deployer: TestUser;
let rest: Awaited<ReturnType<typeof serveRest>>;
let production: { environmentId: string; stackIds: string[] };
let staging: { environmentId: string; stackIds: string[] };

function call(secret: string, path: string, init: RequestInit = {}) {
  return fetch(`${rest.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...init.headers } });
}

async function errorOf(response: Response) {
  return { status: response.status, body: (await response.json()) as { code: string; message: string; details: { reason: string | null } } };
}

/** A tRPC caller acting with a token, as the REST routes build it. */
async function tokenCaller(secret: string) {
  const { teamId, userId, token } = await authenticateApiToken(deps, secret, "127.0.0.1");
  return createCaller({ deps, session: { userId, token }, requestedTeamId: teamId, ip: "127.0.0.1" });
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  deployer = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
  production = await seedRows(deps, owner.teamId, { hosts: 1, stacksPerHost: 1, prefix: "prod" });
  const stagingEnv = await owner.caller.environment.create({ name: "staging" });
  staging = await seedRows(deps, owner.teamId, { hosts: 1, stacksPerHost: 1, prefix: "stg", environmentId: stagingEnv.id });
  rest = await serveRest(deps);
});

afterAll(async () => {
  await rest.close();
  await closeWharfDeps(deps);
});

describe("API tokens", () => {
  it("shows the secret once, stores only its hash, and lists the token without it", async () => {
    const { token, secret } = await owner.caller.apiToken.create({ name: "shown-once", scope: "READ" });
    expect(secret).toMatch(/^wharf_[\w-]{40,}$/);
    const row = await deps.db.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(await owner.caller.apiToken.list())).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("a read token reads, is refused a deploy naming its scope, and the refusal is audited as the token", async () => {
    const { secret } = await tokenFor(deps, owner.teamId, owner.userId, { name: "reader", scope: "READ" });
    const stacks = await call(secret, "/stacks");
    expect(stacks.status).toBe(200);
    expect(((await stacks.json()) as unknown[]).length).toBe(2);
    const refused = await errorOf(await call(secret, `/stacks/${production.stackIds[0]}/jobs`, { method: "POST", body: JSON.stringify({ action: "DEPLOY" }) }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/"reader" has the read scope, which does not allow stack:deploy/) as unknown });
    const audit = await deps.db.auditEvent.findFirstOrThrow({ where: { teamId: owner.teamId, action: "access.refused" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ source: "API_TOKEN", actorLabel: "token reader", actorName: `created by ${owner.email}`, address: "127.0.0.1" });
    const row = await deps.db.apiToken.findFirstOrThrow({ where: { name: "reader" } });
    expect(row.lastUsedIp).toBe("127.0.0.1");
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("a deploy token limited to an environment is refused elsewhere and passes the check in its own", async () => {
    const { secret } = await tokenFor(deps, owner.teamId, owner.userId, { name: "prod-deploy", scope: "DEPLOY", environmentIds: [production.environmentId] });
    const elsewhere = await errorOf(await call(secret, `/stacks/${staging.stackIds[0]}/jobs`, { method: "POST", body: JSON.stringify({ action: "DEPLOY" }) }));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toMatch(/may stack:deploy only in its own environments/);
    // In its environment the permission check passes: what fails is reaching the (row-only) host.
    const own = await call(secret, `/stacks/${production.stackIds[0]}/jobs`, { method: "POST", body: JSON.stringify({ action: "DEPLOY" }) });
    expect(own.status).not.toBe(403);
    // Reads are not limited to the environments.
    expect((await call(secret, `/stacks/${staging.stackIds[0]}`)).status).toBe(200);
  });

  it("never exceeds its creator: an admin token of a deployer cannot manage, and is refused deploys once the creator is demoted", async () => {
    const { secret } = await tokenFor(deps, owner.teamId, deployer.userId, { name: "deployer-admin", scope: "ADMIN" });
    const caller = await tokenCaller(secret);
    await expectTrpcError(caller.environment.create({ name: "nope" }), "FORBIDDEN", /Your role \(deployer\) does not allow environment:manage/);
    const before = await call(secret, `/stacks/${production.stackIds[0]}/jobs`, { method: "POST", body: JSON.stringify({ action: "DEPLOY" }) });
    expect(before.status).not.toBe(403);
    await owner.caller.team.setRole({ userId: deployer.userId, role: "VIEWER" });
    const after = await errorOf(await call(secret, `/stacks/${production.stackIds[0]}/jobs`, { method: "POST", body: JSON.stringify({ action: "DEPLOY" }) }));
    expect(after.status).toBe(403);
    expect(after.body.message).toMatch(/Your role \(viewer\) does not allow stack:deploy/);
    await owner.caller.team.removeMember({ userId: deployer.userId });
    expect((await errorOf(await call(secret, "/stacks"))).status).toBe(403);
  });

  it("refuses revoked, expired and unknown tokens, and a missing one, with 401", async () => {
    const revoked = await tokenFor(deps, owner.teamId, owner.userId, { name: "revoked", scope: "READ" });
    expect((await call(revoked.secret, "/hosts")).status).toBe(200);
    await owner.caller.apiToken.revoke({ tokenId: revoked.id });
    const expired = await tokenFor(deps, owner.teamId, owner.userId, { name: "expired", scope: "READ", expiresInDays: 1 });
    await deps.db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const secret of [revoked.secret, expired.secret, "wharf_unknown"]) {
      const refused = await errorOf(await call(secret, "/hosts"));
      expect(refused).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED", message: expect.stringMatching(/unknown, revoked or expired/) as unknown } });
    }
    const missing = await errorOf(await fetch(`${rest.url}/api/v1/hosts`));
    expect(missing.status).toBe(401);
    expect(missing.body.message).toMatch(/Authorization: Bearer/);
  });

  it("acts as itself in the audit, and never on its creator's account", async () => {
    const { secret } = await tokenFor(deps, owner.teamId, owner.userId, { name: "ci-admin", scope: "ADMIN" });
    const caller = await tokenCaller(secret);
    await caller.environment.create({ name: "qa" });
    const event = await deps.db.auditEvent.findFirstOrThrow({ where: { teamId: owner.teamId, action: { startsWith: "environment." } }, orderBy: { createdAt: "desc" } });
    expect(event).toMatchObject({ source: "API_TOKEN", actorLabel: "token ci-admin", actorName: `created by ${owner.email}`, actorId: owner.userId });
    await expectTrpcError(caller.team.create({ name: "other" }), "FORBIDDEN", /API tokens act on their team only/);
    await expectTrpcError(caller.account.sessions(), "FORBIDDEN", /API tokens act on their team only/);
  });

  it("answers errors as { code, message, details } with the fields that failed", async () => {
    const { secret } = await tokenFor(deps, owner.teamId, owner.userId, { name: "shape", scope: "READ" });
    const invalid = await errorOf(await call(secret, "/jobs?limit=1000"));
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: "BAD_REQUEST", details: { fieldErrors: { limit: [expect.any(String)] } } });
    const missing = await errorOf(await call(secret, "/stacks/nope"));
    expect(missing).toMatchObject({ status: 404, body: { code: "NOT_FOUND", message: "That stack was not found.", details: { reason: null } } });
  });
});
