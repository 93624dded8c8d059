import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { authenticate } from "./auth";

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

const PASSWORD = "correct horse battery";

/** A sign-in that answers "refused" (rate limit), "wrong" (null) or "ok". */
async function attempt(on: WharfDeps, email: string, password: string, ip: string): Promise<"ok" | "wrong" | "refused"> {
  try {
    return (await authenticate(on, { email, password, ip })) ? "ok" : "wrong";
  } catch (error) {
    if (error instanceof Error && /Too many failed sign-ins/.test(error.message)) return "refused";
    throw error;
  }
}

/** Stands in for the clock: every wait that is running ends now. */
async function endWaits(): Promise<void> {
  await deps.db.$executeRawUnsafe(`UPDATE "SignInLimit" SET expire = 0 WHERE key LIKE 'wait:%'`);
}

async function waitSecondsOf(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  const seconds = error instanceof Error ? /Try again in (\d+) s/.exec(error.message)?.[1] : undefined;
  if (!seconds) throw new Error(`expected a rate-limit refusal, got ${String(error)}`);
  return Number(seconds);
}

describe("sign-in limits", () => {
  it("a stranger failing 20 times does not lock the owner out at their own address", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    const results = [];
    for (let i = 0; i < 20; i += 1) results.push(await attempt(deps, owner.email, `guess ${i}`, "203.0.113.7"));
    expect(results.slice(0, 5)).toEqual(["wrong", "wrong", "wrong", "wrong", "wrong"]);
    expect(results.slice(5).every((result) => result === "refused")).toBe(true);
    expect(await attempt(deps, owner.email, PASSWORD, "198.51.100.20")).toBe("ok");
    // Even the right password waits at the guessing address until its wait is over.
    expect(await attempt(deps, owner.email, PASSWORD, "203.0.113.7")).toBe("refused");
  });

  it("the wait grows with each further failure, and a right password clears it", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    const ip = "203.0.113.8";
    for (let i = 0; i < 5; i += 1) await attempt(deps, owner.email, `guess ${i}`, ip);
    const waits = [await waitSecondsOf(authenticate(deps, { email: owner.email, password: "x", ip }))];
    for (let i = 0; i < 3; i += 1) {
      await endWaits();
      expect(await attempt(deps, owner.email, `late guess ${i}`, ip)).toBe("wrong");
      waits.push(await waitSecondsOf(authenticate(deps, { email: owner.email, password: "x", ip })));
    }
    expect(waits).toEqual([30, 60, 120, 240]);

    await endWaits();
    expect(await attempt(deps, owner.email, PASSWORD, ip)).toBe("ok");
    expect(await attempt(deps, owner.email, "one typo", ip)).toBe("wrong");
  });

  it("lets one attempt through when a wait ends, however many arrive at once", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    const ip = "203.0.113.9";
    for (let i = 0; i < 5; i += 1) await attempt(deps, owner.email, `guess ${i}`, ip);
    await endWaits();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => attempt(deps, owner.email, `burst ${i}`, ip)));
    expect(results.filter((result) => result === "wrong")).toHaveLength(1);
    expect(results.filter((result) => result === "refused")).toHaveLength(7);
  });

  it("limits an address across accounts (credential stuffing), not other addresses", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    const ip = "203.0.113.10";
    for (let i = 0; i < 30; i += 1) expect(await attempt(deps, `victim${i}@example.test`, "123456", ip)).toBe("wrong");
    expect(await attempt(deps, "victim-next@example.test", "123456", ip)).toBe("refused");
    expect(await attempt(deps, owner.email, PASSWORD, ip)).toBe("refused");
    expect(await attempt(deps, owner.email, PASSWORD, "198.51.100.21")).toBe("ok");
  });

  it("keeps its state in Postgres, so another replica enforces the same wait", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    const ip = "203.0.113.11";
    for (let i = 0; i < 5; i += 1) await attempt(deps, owner.email, `guess ${i}`, ip);
    const replica = createTestDeps();
    try {
      expect(await attempt(replica, owner.email, PASSWORD, ip)).toBe("refused");
    } finally {
      await closeWharfDeps(replica);
    }
  });

  it("records failed sign-ins in the owner's team audit log, without the password", async () => {
    const owner = await createTestUser(deps, { password: PASSWORD });
    await attempt(deps, owner.email, "s3cret-guess-1", "203.0.113.12");
    await attempt(deps, "nobody@example.test", "s3cret-guess-2", "203.0.113.12");
    const events = await deps.db.auditEvent.findMany({ where: { action: "auth.signin_failed" }, orderBy: { createdAt: "asc" } });
    expect(events.map((event) => [event.teamId, event.targetId, event.summary])).toEqual([
      [owner.teamId, owner.userId, `Failed sign-in as ${owner.email} from 203.0.113.12 (wrong password)`],
      [null, null, "Failed sign-in as nobody@example.test from 203.0.113.12 (unknown account)"],
    ]);
    expect(events.map((event) => [event.source, event.address, event.actorId])).toEqual([
      ["BROWSER", "203.0.113.12", null],
      ["BROWSER", "203.0.113.12", null],
    ]);
    const page = await owner.caller.audit.list({ limit: 10 });
    expect(page.items.map((item) => item.action)).toContain("auth.signin_failed");
    const stored = JSON.stringify(await deps.db.auditEvent.findMany());
    expect(stored).not.toContain("s3cret-guess");
  });
});

describe("host additions", () => {
  it("records a failed host addition in the audit log", async () => {
    const user = await createTestUser(deps);
    await expect(
      user.caller.host.create({
        name: "web-01",
        address: "127.0.0.1",
        port: 22,
        username: "deploy",
        credential: { type: "existing", credentialId: "no-such-key" },
        hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
      }),
    ).rejects.toThrow(/SSH key/);
    const events = await deps.db.auditEvent.findMany({ where: { teamId: user.teamId, action: "host.create_failed" } });
    expect(events).toHaveLength(1);
    expect(events[0]?.summary).toMatch(/^Could not add host web-01 \(deploy@127\.0\.0\.1:22\): .*SSH key/);
    expect(await deps.db.host.count()).toBe(0);
  });
});
