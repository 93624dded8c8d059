import type { WharfDeps } from "@wharf/api";
import { callerFor, closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { appRouter } from "../root";
import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let owner: TestUser;

beforeAll(() => {
  deps = createTestDeps();
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

beforeEach(async () => {
  await resetDatabase(deps);
  owner = await createTestUser(deps);
});

const tokenOf = (url: string): string => url.split("/invite/")[1]!;

async function invite(role: "OWNER" | "ADMIN" | "DEPLOYER" | "VIEWER" = "DEPLOYER", extra: { environmentIds?: string[]; expiresInHours?: number } = {}) {
  const created = await owner.caller.invitation.create({ role, ...extra });
  return { ...created, token: tokenOf(created.url) };
}

describe("invitations", () => {
  it("store only the link's hash; the link is returned once and opens /invite/<token>", async () => {
    const { url, token, id } = await invite();
    expect(url).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    const row = await deps.db.invitation.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(row)).not.toContain(token);
    const pending = await owner.caller.invitation.pending();
    expect(pending.map((p) => p.id)).toEqual([id]);
    expect(JSON.stringify(pending)).not.toContain(token);
  });

  it("sign a new user up into the team with the invited role, once", async () => {
    const { token } = await invite("DEPLOYER");
    const anonymous = callerFor(deps, null);
    expect(await anonymous.invitation.preview({ token })).toMatchObject({ role: "DEPLOYER" });
    const joined = await anonymous.invitation.signUp({ token, name: "Dee", email: "Dee@Example.test", password: "a long password" });
    expect(joined).toMatchObject({ teamId: owner.teamId, role: "DEPLOYER", email: "dee@example.test" });
    const user = await deps.db.user.findUniqueOrThrow({ where: { email: "dee@example.test" } });
    expect(await callerFor(deps, user.id).team.me()).toMatchObject({ team: { id: owner.teamId, role: "DEPLOYER" } });
    // Reused: refused with a clear reason, and no second account.
    const reused = await expectTrpcError(anonymous.invitation.signUp({ token, name: "Eve", email: "eve@example.test", password: "a long password" }), "CONFLICT", /already used/);
    expect(reused.cause).toMatchObject({ reason: "INVITATION_USED" });
    expect(await deps.db.user.count({ where: { email: "eve@example.test" } })).toBe(0);
    await expectTrpcError(anonymous.invitation.preview({ token }), "CONFLICT", /already used/);
    expect(await owner.caller.invitation.pending()).toEqual([]);
  });

  it("add an existing signed-in user, who can then switch between their teams", async () => {
    const other = await createTestUser(deps);
    const { token } = await invite("VIEWER");
    expect(await other.caller.invitation.accept({ token })).toMatchObject({ teamId: owner.teamId, role: "VIEWER" });
    const teams = await other.caller.team.list();
    expect(teams.map((t) => t.id).sort()).toEqual([other.teamId, owner.teamId].sort());
    const inOwnersTeam = appRouter.createCaller({ deps, session: { userId: other.userId }, requestedTeamId: owner.teamId, ip: null });
    expect(await inOwnersTeam.team.me()).toMatchObject({ team: { id: owner.teamId, role: "VIEWER" } });
    expect(await other.caller.team.me()).toMatchObject({ team: { id: other.teamId, role: "OWNER" } });
    await expectTrpcError(other.caller.invitation.accept({ token }), "CONFLICT", /already used/);
  });

  it("refuse an expired link, and leave it unused", async () => {
    const { token, id } = await invite("ADMIN", { expiresInHours: 1 });
    vi.useFakeTimers({ now: Date.now() + 2 * 60 * 60 * 1000, toFake: ["Date"] });
    try {
      const other = await createTestUser(deps);
      const error = await expectTrpcError(other.caller.invitation.accept({ token }), "FORBIDDEN", /expired/);
      expect(error.cause).toMatchObject({ reason: "INVITATION_EXPIRED" });
      await expectTrpcError(callerFor(deps, null).invitation.signUp({ token, name: "X", email: "x@example.test", password: "a long password" }), "FORBIDDEN", /expired/);
      expect(await deps.db.membership.count({ where: { teamId: owner.teamId } })).toBe(1);
      expect(await deps.db.user.count({ where: { email: "x@example.test" } })).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(await deps.db.invitation.findUniqueOrThrow({ where: { id }, select: { acceptedAt: true } })).toEqual({ acceptedAt: null });
  });

  it("refuse a revoked link; a taken email or an existing membership leaves the link unused", async () => {
    const revoked = await invite();
    await owner.caller.invitation.revoke({ invitationId: revoked.id });
    await expectTrpcError(callerFor(deps, null).invitation.preview({ token: revoked.token }), "FORBIDDEN", /revoked/);
    await expectTrpcError(owner.caller.invitation.revoke({ invitationId: revoked.id }), "CONFLICT", /already revoked/);

    const { token, id } = await invite();
    const existing = await createTestUser(deps);
    await expectTrpcError(
      callerFor(deps, null).invitation.signUp({ token, name: "Dup", email: existing.email, password: "a long password" }),
      "CONFLICT",
      /already exists: sign in/,
    );
    const member = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expectTrpcError(member.caller.invitation.accept({ token }), "CONFLICT", /already a member/);
    expect(await deps.db.invitation.findUniqueOrThrow({ where: { id }, select: { acceptedAt: true } })).toEqual({ acceptedAt: null });
    await expectTrpcError(callerFor(deps, null).invitation.preview({ token: "x".repeat(43) }), "NOT_FOUND", /not valid/);
  });

  it("grant an environment-scoped role; only owners invite owners, and never for some environments only", async () => {
    const staging = await owner.caller.environment.create({ name: "staging" });
    const { token } = await invite("DEPLOYER", { environmentIds: [staging.id] });
    const other = await createTestUser(deps);
    await other.caller.invitation.accept({ token });
    const members = await owner.caller.team.members();
    expect(members.find((m) => m.id === other.userId)).toMatchObject({ role: "DEPLOYER", environments: [{ id: staging.id, name: "staging" }] });

    await expectTrpcError(owner.caller.invitation.create({ role: "OWNER", environmentIds: [staging.id] }), "BAD_REQUEST", /whole team/);
    const admin = await createTestUser(deps, { role: "ADMIN", teamId: owner.teamId });
    await expectTrpcError(admin.caller.invitation.create({ role: "OWNER" }), "FORBIDDEN", /Only an owner/);
    expect((await admin.caller.invitation.create({ role: "VIEWER" })).url).toContain("/invite/");
    const deployer = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    await expectTrpcError(deployer.caller.invitation.create({ role: "VIEWER" }), "FORBIDDEN", /member:manage/);
  });
});

describe("members and owners", () => {
  it("the last owner cannot be demoted, removed or leave; nothing is written", async () => {
    const admin = await createTestUser(deps, { role: "ADMIN", teamId: owner.teamId });
    const error = await expectTrpcError(owner.caller.team.setRole({ userId: owner.userId, role: "ADMIN" }), "CONFLICT", /without an owner/);
    expect(error.cause).toMatchObject({ reason: "LAST_OWNER" });
    await expectTrpcError(owner.caller.team.removeMember({ userId: owner.userId }), "CONFLICT", /without an owner/);
    await expectTrpcError(owner.caller.team.leave(), "CONFLICT", /without an owner/);
    await expectTrpcError(admin.caller.team.removeMember({ userId: owner.userId }), "FORBIDDEN", /Only an owner/);
    await expectTrpcError(admin.caller.team.setRole({ userId: owner.userId, role: "VIEWER" }), "FORBIDDEN", /Only an owner/);
    await expectTrpcError(admin.caller.team.setRole({ userId: admin.userId, role: "OWNER" }), "FORBIDDEN", /Only an owner/);
    expect(await deps.db.membership.findMany({ where: { teamId: owner.teamId }, select: { userId: true, role: true }, orderBy: { createdAt: "asc" } })).toEqual([
      { userId: owner.userId, role: "OWNER" },
      { userId: admin.userId, role: "ADMIN" },
    ]);
  });

  it("with a second owner, one can step down; transfer makes the new owner team-wide and the old one admin", async () => {
    const next = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    const staging = await owner.caller.environment.create({ name: "staging" });
    await owner.caller.team.setRole({ userId: next.userId, role: "DEPLOYER", environmentIds: [staging.id] });
    await owner.caller.team.transferOwnership({ userId: next.userId });
    const members = await next.caller.team.members();
    expect(members.map((m) => [m.id, m.role, m.environments])).toEqual([
      [owner.userId, "ADMIN", null],
      [next.userId, "OWNER", null],
    ]);
    await expectTrpcError(owner.caller.team.transferOwnership({ userId: next.userId }), "FORBIDDEN", /team:manage/);
    // Two owners: one may now leave.
    await next.caller.team.setRole({ userId: owner.userId, role: "OWNER" });
    await owner.caller.team.leave();
    await expectTrpcError(owner.caller.team.me(), "FORBIDDEN", /not a member/);
    const audit = await next.caller.audit.list({});
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(["member.role", "team.transfer", "member.leave"]));
  });

  it("an admin removes a member, who loses access at once; concurrent demotions never leave zero owners", async () => {
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    const admin = await createTestUser(deps, { role: "ADMIN", teamId: owner.teamId });
    await admin.caller.team.removeMember({ userId: viewer.userId });
    await expectTrpcError(viewer.caller.team.me(), "FORBIDDEN", /not a member of that team|any team/);

    const second = await createTestUser(deps, { role: "OWNER", teamId: owner.teamId });
    const results = await Promise.allSettled([
      owner.caller.team.setRole({ userId: owner.userId, role: "ADMIN" }),
      second.caller.team.setRole({ userId: second.userId, role: "ADMIN" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await deps.db.membership.count({ where: { teamId: owner.teamId, role: "OWNER" } })).toBe(1);
  });

  it("any signed-in user creates a team, owning it with a default environment", async () => {
    const team = await owner.caller.team.create({ name: "Second team" });
    expect(team.slug).toBe("second-team");
    const again = await owner.caller.team.create({ name: "Second team" });
    expect(again.slug).toMatch(/^second-team-[0-9a-f]{6}$/);
    const caller = appRouter.createCaller({ deps, session: { userId: owner.userId }, requestedTeamId: team.id, ip: null });
    expect(await caller.team.me()).toMatchObject({ team: { id: team.id, role: "OWNER" } });
    expect((await caller.environment.list()).map((e) => e.name)).toEqual(["default"]);
    await expectTrpcError(callerFor(deps, null).team.create({ name: "x" }), "UNAUTHORIZED", /Sign in/);
  });
});

describe("environments", () => {
  it("are team-defined; one holding hosts, or the last one, cannot be removed", async () => {
    const staging = await owner.caller.environment.create({ name: "Staging" });
    expect(staging.name).toBe("staging");
    await expectTrpcError(owner.caller.environment.create({ name: "staging" }), "CONFLICT", /already exists/);
    await owner.caller.environment.rename({ environmentId: staging.id, name: "stage" });
    await owner.caller.environment.remove({ environmentId: staging.id });
    const [only] = await owner.caller.environment.list();
    await expectTrpcError(owner.caller.environment.remove({ environmentId: only!.id }), "CONFLICT", /at least one environment/);
  });
});
