import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { WharfDeps } from "@wharf/api";
import { callerFor, closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { generate } from "otplib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { TWO_FACTOR_REQUIRED } from "../lib/sign-in-messages";
import { appRouter, createCaller } from "../root";
import { expectTrpcError } from "../test-support/trpc";
import { authenticate } from "./auth";
import { createSession, resolveSession } from "./sessions";

let deps: WharfDeps;
let user: TestUser;
const PASSWORD = "correct horse battery";

beforeAll(() => {
  deps = createTestDeps();
});
afterAll(async () => {
  await closeWharfDeps(deps);
});
beforeEach(async () => {
  await resetDatabase(deps);
  user = await createTestUser(deps, { password: PASSWORD });
});

const newSession = (userAgent: string) => createSession(deps, { userId: user.userId, method: "password", userAgent, address: "198.51.100.7" });

/** A caller as the web app builds it: the cookie's claims count only while their session row exists. */
async function callerWithSession(sessionId: string) {
  return createCaller({ deps, session: await resolveSession(deps, { userId: user.userId, sessionId }), requestedTeamId: null, ip: "198.51.100.7" });
}

/** One tRPC query over HTTP with the cookie's claims, the way the web app's route answers it. */
async function queryOverHttp(sessionId: string, path: string): Promise<number> {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://wharf.test/api/trpc/${path}`),
    router: appRouter,
    createContext: async () => ({ deps, session: await resolveSession(deps, { userId: user.userId, sessionId }), requestedTeamId: null, ip: "198.51.100.7" }),
  });
  return response.status;
}

describe("sessions", () => {
  it("lists the user's sessions with device and last use, marking the current one", async () => {
    const laptop = await newSession("Firefox on Linux");
    await newSession("Safari on iPhone");
    const sessions = await (await callerWithSession(laptop)).account.sessions();
    expect(sessions.map((s) => [s.userAgent, s.current, s.address])).toEqual(
      expect.arrayContaining([
        ["Firefox on Linux", true, "198.51.100.7"],
        ["Safari on iPhone", false, "198.51.100.7"],
      ]),
    );
    expect(sessions.every((s) => s.lastUsedAt instanceof Date)).toBe(true);
  });

  it("a revoked session is refused at its very next request over HTTP", async () => {
    const laptop = await newSession("Firefox on Linux");
    const phone = await newSession("Safari on iPhone");
    expect(await queryOverHttp(phone, "team.me")).toBe(200);
    await (await callerWithSession(laptop)).account.revokeSession({ sessionId: phone });
    expect(await queryOverHttp(phone, "team.me")).toBe(401);
    expect(await queryOverHttp(laptop, "team.me")).toBe(200);
    const [event] = (await user.caller.audit.list({ action: "session.revoke" })).items;
    expect(event).toMatchObject({ actorId: user.userId, address: "198.51.100.7", source: "BROWSER" });
  });

  it("signing out all other sessions keeps only the current one; another user's session cannot be revoked", async () => {
    const laptop = await newSession("Firefox on Linux");
    await newSession("Safari on iPhone");
    await newSession("curl");
    const stranger = await createTestUser(deps);
    const theirs = await createSession(deps, { userId: stranger.userId, method: "password", userAgent: "theirs", address: null });
    expect(await (await callerWithSession(laptop)).account.revokeOtherSessions()).toBe(2);
    await expectTrpcError((await callerWithSession(laptop)).account.revokeSession({ sessionId: theirs }), "NOT_FOUND", /no longer exists/);
    expect((await deps.db.session.findMany({ select: { id: true } })).map((s) => s.id).sort()).toEqual([laptop, theirs].sort());
  });

  it("removing a member takes effect at their next request", async () => {
    const teammate = await createTestUser(deps, { role: "ADMIN", teamId: user.teamId });
    const session = await createSession(deps, { userId: teammate.userId, method: "password", userAgent: "x", address: null });
    const asTeammate = async () =>
      createCaller({ deps, session: await resolveSession(deps, { userId: teammate.userId, sessionId: session }), requestedTeamId: null, ip: null });
    expect((await (await asTeammate()).team.me()).team.id).toBe(user.teamId);
    await user.caller.team.removeMember({ userId: teammate.userId });
    await expectTrpcError((await asTeammate()).team.me(), "FORBIDDEN", /not a member/);
    // Made elsewhere (another server process, or SQL), a removal reaches this process's cache by notification.
    const other = await createTestUser(deps, { role: "ADMIN", teamId: user.teamId });
    const asOther = createCaller({ deps, session: { userId: other.userId }, requestedTeamId: null, ip: null });
    expect((await asOther.team.me()).team.id).toBe(user.teamId);
    await deps.db.membership.delete({ where: { userId_teamId: { userId: other.userId, teamId: user.teamId } } });
    await deps.access.settled();
    await expectTrpcError(asOther.team.me(), "FORBIDDEN", /not a member/);
  });
});

describe("password change", () => {
  it("needs the current password, then ends every other session and lets the new password in", async () => {
    const laptop = await newSession("Firefox on Linux");
    const phone = await newSession("Safari on iPhone");
    const caller = await callerWithSession(laptop);
    await expectTrpcError(caller.account.changePassword({ currentPassword: "wrong one", newPassword: "a much better passphrase" }), "FORBIDDEN", /current password is not right/);
    await expectTrpcError(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "short" }), "BAD_REQUEST", /at least 10/);
    expect(await resolveSession(deps, { userId: user.userId, sessionId: phone })).not.toBeNull();

    expect(await caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a much better passphrase" })).toEqual({ endedSessions: 1 });
    expect(await resolveSession(deps, { userId: user.userId, sessionId: phone })).toBeNull();
    expect(await queryOverHttp(phone, "team.me")).toBe(401);
    expect(await queryOverHttp(laptop, "team.me")).toBe(200);
    expect(await authenticate(deps, { email: user.email, password: PASSWORD, ip: "198.51.100.7" })).toBeNull();
    expect(await authenticate(deps, { email: user.email, password: "a much better passphrase", ip: "198.51.100.7" })).toMatchObject({ id: user.userId });
    const [event] = (await user.caller.audit.list({ action: "account.password_change" })).items;
    expect(event?.changes).toEqual({ password: { from: "[secret]", to: "[secret]" } });
    expect(JSON.stringify(await deps.db.auditEvent.findMany())).not.toContain("much better");
  });
});

describe("two-factor sign-in", () => {
  const now = () => Math.floor(Date.now() / 1000);

  async function enrol(): Promise<{ secret: string; recoveryCodes: string[] }> {
    const caller = callerFor(deps, user.userId);
    const { secret, uri } = await caller.account.beginTwoFactor();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Wharf:.*secret=/);
    await expectTrpcError(caller.account.enableTwoFactor({ code: "000000" === (await generate({ secret })) ? "111111" : "000000" }), "BAD_REQUEST", /not right/);
    expect((await caller.account.profile()).twoFactor).toBe(false);
    const { recoveryCodes } = await caller.account.enableTwoFactor({ code: await generate({ secret }) });
    return { secret, recoveryCodes };
  }

  const signIn = (code?: string) => authenticate(deps, { email: user.email, password: PASSWORD, code: code ?? null, ip: "198.51.100.9" });

  it("asks for a code after the right password, accepts a current code once, and refuses a wrong one", async () => {
    const { secret } = await enrol();
    expect((await callerFor(deps, user.userId).account.profile()).twoFactor).toBe(true);
    await expect(signIn()).rejects.toThrow(TWO_FACTOR_REQUIRED);
    expect(await signIn("123456" === (await generate({ secret, epoch: now() + 30 })) ? "654321" : "123456")).toBeNull();
    // The enrolment used this window's code: the next window's one signs in, once.
    const next = await generate({ secret, epoch: now() + 30 });
    expect(await signIn(next)).toMatchObject({ id: user.userId });
    expect(await signIn(next)).toBeNull();
    const failures = await deps.db.auditEvent.findMany({ where: { action: "auth.signin_failed" } });
    expect(failures.map((event) => (event.data as { reason: string }).reason)).toEqual(["wrong two-factor code", "wrong two-factor code"]);
  });

  it("a recovery code signs in once; recovery codes are stored only as hashes", async () => {
    const { recoveryCodes } = await enrol();
    expect(recoveryCodes).toHaveLength(10);
    const [code] = recoveryCodes as [string];
    expect(await signIn(code.toUpperCase())).toMatchObject({ id: user.userId });
    expect(await signIn(code)).toBeNull();
    expect((await callerFor(deps, user.userId).account.profile()).recoveryCodesLeft).toBe(9);
    const stored = JSON.stringify(await deps.db.recoveryCode.findMany());
    for (const plain of recoveryCodes) expect(stored).not.toContain(plain.replace("-", ""));
  });

  it("turning it off needs the password and then signs in without a code", async () => {
    await enrol();
    const caller = callerFor(deps, user.userId);
    await expectTrpcError(caller.account.disableTwoFactor({ password: "nope nope nope" }), "FORBIDDEN", /not right/);
    await caller.account.disableTwoFactor({ password: PASSWORD });
    expect(await signIn()).toMatchObject({ id: user.userId });
    expect(await deps.db.recoveryCode.count()).toBe(0);
  });
});
