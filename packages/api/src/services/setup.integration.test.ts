import { TRPCError } from "@trpc/server";
import type { WharfDeps } from "@wharf/api";
import { callerFor, closeWharfDeps, createTestDeps, resetDatabase } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { authenticate } from "./auth";
import { issueSetupLink } from "./setup";

let deps: WharfDeps;

beforeAll(() => {
  deps = createTestDeps();
});
afterAll(async () => {
  await closeWharfDeps(deps);
});
beforeEach(async () => {
  await resetDatabase(deps);
});

const tokenOf = (link: string | null): string => new URL(link ?? "http://x").searchParams.get("token") ?? "";
const owner = { name: "Ada", email: "Ada@Example.test", password: "correct horse battery", teamName: "Platform" };

describe("first start", () => {
  it("creates the owner and the first team from the one-time link, once", async () => {
    const anonymous = callerFor(deps, null);
    expect(await anonymous.setup.status()).toEqual({ needsSetup: true });
    const token = tokenOf(await issueSetupLink(deps.db, "http://localhost:3000"));
    expect(token.length).toBeGreaterThan(20);

    const { userId, teamId } = await anonymous.setup.complete({ token, ...owner });
    const membership = await deps.db.membership.findUniqueOrThrow({ where: { userId_teamId: { userId, teamId } } });
    expect(membership.role).toBe("OWNER");
    const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.email).toBe("ada@example.test");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await anonymous.setup.status()).toEqual({ needsSetup: false });
    expect(await deps.db.auditEvent.count({ where: { action: "setup.complete" } })).toBe(1);

    await expect(anonymous.setup.complete({ token, ...owner, email: "eve@example.test" })).rejects.toThrow(/already set up/);
    expect(await issueSetupLink(deps.db, "http://localhost:3000")).toBeNull();
  });

  it("refuses a wrong or superseded token", async () => {
    const anonymous = callerFor(deps, null);
    const first = tokenOf(await issueSetupLink(deps.db, "http://localhost:3000"));
    await issueSetupLink(deps.db, "http://localhost:3000");
    await expect(anonymous.setup.complete({ token: first, ...owner })).rejects.toThrow(/not valid/);
    await expect(anonymous.setup.complete({ token: "x".repeat(43), ...owner })).rejects.toThrow(/not valid/);
    expect(await deps.db.user.count()).toBe(0);
  });

  it("names the fields that are wrong", async () => {
    const error = await callerFor(deps, null)
      .setup.complete({ token: "t".repeat(43), name: "", email: "not-an-email", password: "short", teamName: "" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });
});

describe("sign-in", () => {
  it("accepts the right password, rejects a wrong one, and rate-limits guessing", async () => {
    const token = tokenOf(await issueSetupLink(deps.db, "http://localhost:3000"));
    await callerFor(deps, null).setup.complete({ token, ...owner });

    const ok = await authenticate(deps, { email: "ADA@example.test", password: owner.password, ip: "10.9.9.1" });
    expect(ok?.email).toBe("ada@example.test");
    expect(await authenticate(deps, { email: owner.email, password: "wrong password", ip: "10.9.9.2" })).toBeNull();
    expect(await authenticate(deps, { email: "nobody@example.test", password: "whatever", ip: "10.9.9.2" })).toBeNull();

    const ip = "10.9.9.3";
    for (let i = 0; i < 5; i += 1) await authenticate(deps, { email: owner.email, password: `guess ${i}`, ip });
    await expect(authenticate(deps, { email: owner.email, password: owner.password, ip })).rejects.toThrow(/Too many failed sign-ins/);
  });
});
