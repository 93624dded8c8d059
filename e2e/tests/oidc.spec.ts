import { expect, type Page, test } from "@playwright/test";
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser } from "@wharf/testing/api";
import { testEnv } from "@wharf/testing/env";
import { startOidcProvider, type TestOidcProvider } from "@wharf/testing/oidc-provider";

import { shot } from "../fixtures/wharf";
import { OIDC } from "../playwright.config";

// Sign-in through a real OpenID Connect provider (oidc-provider) started here, at the address the
// server's WHARF_OIDC_ISSUER names (see playwright.config.ts): its groups decide the role.
test.describe.configure({ mode: "serial" });

let deps: WharfDeps;
let provider: TestOidcProvider;
const stamp = Date.now();
const accounts = {
  [`lin-${stamp}`]: { email: `lin-${stamp}@example.test`, name: "Lin Admin", groups: ["everyone", "wharf-admins", "developers"] },
  [`sam-${stamp}`]: { email: `sam-${stamp}@example.test`, name: "Sam Outsider", groups: ["everyone"] },
};

test.beforeAll(async () => {
  deps = createTestDeps(testEnv.e2eDatabaseUrl ?? testEnv.databaseUrl);
  // Someone set Wharf up already (OIDC users join the oldest team); alone, this spec makes that team.
  if ((await deps.db.team.count()) === 0) await createTestUser(deps);
  provider = await startOidcProvider({ port: OIDC.port, client: { id: OIDC.clientId, secret: OIDC.clientSecret, redirectUri: OIDC.redirectUri }, accounts });
});

test.afterAll(async () => {
  await provider.close();
  await closeWharfDeps(deps);
});

/** Through the provider's own sign-in and consent pages, back to Wharf. */
async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Continue with Test identity provider" }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a user in a mapped group signs in through OIDC and gets the strongest mapped role", async ({ page }) => {
  const login = `lin-${stamp}`;
  await signInThroughProvider(page, login);
  await expect(page).toHaveURL(/\/hosts/);
  const user = await deps.db.user.findUniqueOrThrow({ where: { email: accounts[login]?.email ?? "" }, include: { memberships: true } });
  const oldest = await deps.db.team.findFirstOrThrow({ orderBy: { createdAt: "asc" } });
  expect(user).toMatchObject({ name: "Lin Admin", passwordHash: null, oidcSubject: login });
  expect(user.memberships.map((m) => [m.teamId, m.role])).toEqual([[oldest.id, "ADMIN"]]);
  expect(await deps.db.session.count({ where: { userId: user.id, method: "oidc" } })).toBe(1);

  await page.goto("/profile");
  await expect(page.getByRole("table", { name: "Sessions" }).getByText("SSO")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Password" })).toHaveCount(0);
  const events = await deps.db.auditEvent.findMany({ where: { actorId: user.id }, orderBy: { createdAt: "asc" } });
  expect(events.map((event) => [event.action, event.changes])).toEqual([
    ["member.role_from_oidc", { role: { from: null, to: "ADMIN" } }],
    ["auth.signin_oidc", null],
  ]);
});

test("a user in no mapped group is refused, and the refusal is recorded", async ({ page }) => {
  const login = `sam-${stamp}`;
  await signInThroughProvider(page, login);
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByText(/groups grant no role in Wharf/)).toBeVisible();
  await page.screenshot({ path: shot("signin-oidc-refused") });
  expect(await deps.db.user.count({ where: { email: accounts[login]?.email ?? "" } })).toBe(0);
  const refusal = await deps.db.auditEvent.findFirstOrThrow({ where: { action: "auth.signin_failed", summary: { contains: accounts[login]?.email ?? "-" } } });
  expect(refusal.data).toMatchObject({ reason: "no mapped group", groups: ["everyone"] });
});
