import { readFileSync } from "node:fs";

import { type Browser, expect, type Page, test } from "@playwright/test";
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { testEnv } from "@wharf/testing/env";
import { generate } from "otplib";

import { shot } from "../fixtures/wharf";

// One account signs in from two browsers, signs one out, is refused a token name it already uses,
// turns two-factor sign-in on, uses a recovery code, changes its password and exports its team's
// audit log. Its own user and team: it runs after hosts.spec.ts or alone.
test.describe.configure({ mode: "serial" });

const PASSWORD = "correct horse battery";
let deps: WharfDeps;
let user: TestUser;
let totpSecret = "";
let recoveryCodes: string[] = [];

test.beforeAll(async () => {
  deps = createTestDeps(testEnv.e2eDatabaseUrl ?? testEnv.databaseUrl);
  user = await createTestUser(deps, { password: PASSWORD });
  await deps.db.user.update({ where: { id: user.userId }, data: { name: "Grace Hopper" } });
});

test.afterAll(async () => {
  await closeWharfDeps(deps);
});

async function signIn(page: Page, options: { password?: string; code?: string } = {}): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(options.password ?? PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  if (options.code !== undefined) {
    await page.getByLabel("Two-factor code").fill(options.code);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
  await expect(page).toHaveURL(/\/hosts/);
}

async function newPage(browser: Browser, userAgent: string): Promise<Page> {
  const context = await browser.newContext({ userAgent });
  return context.newPage();
}

test("a session signed out from another browser is refused at its next click", async ({ browser }) => {
  const laptop = await newPage(browser, "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
  const phone = await newPage(browser, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1");
  await signIn(laptop);
  await signIn(phone);

  await laptop.goto("/profile");
  const sessions = laptop.getByRole("table", { name: "Sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(3);
  await expect(sessions.getByRole("row", { name: /Firefox 133 on Linux.*This browser/ })).toBeVisible();
  await laptop.screenshot({ path: shot("profile"), fullPage: true });
  await sessions.getByRole("button", { name: /Sign out Safari/ }).click();
  await expect(sessions.getByRole("row")).toHaveCount(2);

  await phone.goto("/hosts");
  await expect(phone).toHaveURL(/\/signin/);
  await laptop.context().close();
  await phone.context().close();
});

test("a token name already in use is refused inside the dialog, in an alert", async ({ browser }) => {
  await user.caller.apiToken.create({ name: "ci-deploy", scope: "READ" });
  const page = await newPage(browser, "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36");
  await signIn(page);
  await page.goto("/tokens");
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create an API token" });
  await dialog.getByLabel("Name").fill("ci-deploy");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText(/A token named "ci-deploy" exists already: choose another name or revoke it first\./);
  await page.context().close();
});

test("two-factor sign-in: enrol with a code, then a recovery code signs in once", async ({ browser }) => {
  const page = await newPage(browser, "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36");
  await signIn(page);
  await page.goto("/profile");
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  totpSecret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel("Code from the app").fill(await generate({ secret: totpSecret }));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  recoveryCodes = await codes.allTextContents();
  const recoveryCode = recoveryCodes[0] ?? "";
  await page.screenshot({ path: shot("profile-two-factor"), fullPage: true });
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(page.getByText(/Signing in asks for a code/)).toBeVisible();

  const other = await newPage(browser, "Mozilla/5.0 (Macintosh; Mac OS X 14_0) Safari/605.1.15");
  await other.goto("/signin");
  await other.getByLabel("Email").fill(user.email);
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(other.getByLabel("Two-factor code")).toBeVisible();
  await other.screenshot({ path: shot("signin-two-factor") });
  await other.getByLabel("Two-factor code").fill(recoveryCode);
  await other.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(other).toHaveURL(/\/hosts/);
  await other.context().close();

  const again = await newPage(browser, "curl/8.0");
  await again.goto("/signin");
  await again.getByLabel("Email").fill(user.email);
  await again.getByLabel("Password").fill(PASSWORD);
  await again.getByRole("button", { name: "Sign in", exact: true }).click();
  await again.getByLabel("Two-factor code").fill(recoveryCode);
  await again.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(again.getByText("That code is not right, or was already used.")).toBeVisible();
  await again.context().close();
  await page.context().close();
});

test("changing the password signs the other browsers out; the audit log shows it all and exports it", async ({ browser }) => {
  const page = await newPage(browser, "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36");
  const other = await newPage(browser, "Mozilla/5.0 (Windows NT 10.0) Edg/140.0");
  // Two-factor is on. Enrolment used this window's code, which is good once: the next window's code is accepted now.
  await signIn(page, { code: await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) + 30 }) });
  await signIn(other, { code: recoveryCodes[1] ?? "" });

  await page.goto("/profile");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill("an even longer passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText(/Password changed; \d+ other sessions? (was|were) signed out/)).toBeVisible();
  await other.goto("/hosts");
  await expect(other).toHaveURL(/\/signin/);

  await page.goto("/audit");
  const events = page.getByRole("table", { name: "Audit events" });
  await expect(events.getByText("account.password_change")).toBeVisible();
  await expect(events.getByText("session.revoke", { exact: true })).toBeVisible();
  await expect(events.getByText("account.two_factor_enable")).toBeVisible();
  await page.screenshot({ path: shot("audit"), fullPage: true });

  await page.getByLabel("Action").selectOption("account.password_change");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=account.password_change/);
  await expect(events.getByRole("row")).toHaveCount(2);
  await page.screenshot({ path: shot("audit-filtered"), fullPage: true });

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = readFileSync((await (await download).path()) ?? "", "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]).toBe("time,actor,actor_name,source,address,action,target_type,target_id,summary,changes,data");
  expect(lines.slice(1).every((line) => line.includes(",account.password_change,"))).toBe(true);
  expect(lines).toHaveLength(2);
  expect(csv).not.toContain("an even longer passphrase");
  await page.context().close();
  await other.context().close();
});
