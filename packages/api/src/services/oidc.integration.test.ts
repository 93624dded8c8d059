import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { parseOidcRoleMap } from "../lib/oidc-roles";
import { type OidcIdentity, type OidcSettings, signInWithOidc } from "./oidc";

// The whole flow through next-auth and a real provider is e2e/tests/oidc.spec.ts; these are the account rules.
let deps: WharfDeps;
const settings: OidcSettings = { issuer: "https://idp.example.test", roleMap: parseOidcRoleMap("wharf-admins=admin,developers=deployer,wharf-owners=owner"), teamSlug: null };
const identity = (overrides: Partial<OidcIdentity> = {}): OidcIdentity => ({
  subject: "sub-1",
  email: "Lin@Example.test",
  emailVerified: true,
  name: "Lin",
  groups: ["developers"],
  address: "192.0.2.10",
  ...overrides,
});

beforeAll(() => {
  deps = createTestDeps();
});
afterAll(async () => {
  await closeWharfDeps(deps);
});
beforeEach(async () => {
  await resetDatabase(deps);
});

describe("OIDC sign-in", () => {
  it("creates the account, then follows the provider's groups at each sign-in", async () => {
    const owner = await createTestUser(deps);
    const first = await signInWithOidc(deps, settings, identity());
    expect(first.email).toBe("lin@example.test");
    const role = async () => (await deps.db.membership.findUniqueOrThrow({ where: { userId_teamId: { userId: first.id, teamId: owner.teamId } } })).role;
    expect(await role()).toBe("DEPLOYER");
    const again = await signInWithOidc(deps, settings, identity({ groups: ["developers", "wharf-admins"] }));
    expect(again.id).toBe(first.id);
    expect(await role()).toBe("ADMIN");
    const changes = await deps.db.auditEvent.findMany({ where: { action: "member.role_from_oidc" }, orderBy: { createdAt: "asc" } });
    expect(changes.map((event) => [event.changes, event.address, event.source])).toEqual([
      [{ role: { from: null, to: "DEPLOYER" } }, "192.0.2.10", "BROWSER"],
      [{ role: { from: "DEPLOYER", to: "ADMIN" } }, "192.0.2.10", "BROWSER"],
    ]);
  });

  it("links an existing password account by verified email only", async () => {
    const owner = await createTestUser(deps);
    await expect(signInWithOidc(deps, settings, identity({ email: owner.email, emailVerified: false }))).rejects.toThrow(/has not verified that address/);
    const linked = await signInWithOidc(deps, settings, identity({ email: owner.email, groups: ["wharf-owners"] }));
    expect(linked.id).toBe(owner.userId);
    expect(await deps.db.user.findUniqueOrThrow({ where: { id: owner.userId } })).toMatchObject({ oidcIssuer: settings.issuer, oidcSubject: "sub-1" });
  });

  it("never demotes the team's last owner", async () => {
    const owner = await createTestUser(deps);
    await signInWithOidc(deps, settings, identity({ email: owner.email, groups: ["developers"] }));
    expect((await deps.db.membership.findFirstOrThrow({ where: { userId: owner.userId } })).role).toBe("OWNER");
  });

  it("refuses a user none of whose groups is mapped, and records it", async () => {
    const owner = await createTestUser(deps);
    await expect(signInWithOidc(deps, settings, identity({ groups: ["everyone"] }))).rejects.toThrow(/grant no role/);
    expect(await deps.db.user.count()).toBe(1);
    const [event] = await deps.db.auditEvent.findMany({ where: { action: "auth.signin_failed" } });
    expect(event).toMatchObject({ teamId: owner.teamId, address: "192.0.2.10", data: { reason: "no mapped group", groups: ["everyone"] } });
  });
});
