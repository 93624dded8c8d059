import { expect, type Page, test } from "@playwright/test";

import { expectAccessible } from "../fixtures/a11y";
import { addHost, completeSetup, rotateHostKey, sandbox, setupLink, shot } from "../fixtures/wharf";

test.describe.configure({ mode: "serial" });

const owner = { name: "Ada Lovelace", email: "ada@example.test", password: "correct horse battery", team: "Platform" };

async function signIn(page: Page, password = owner.password): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("the owner sets Wharf up from the one-time link", async ({ page, baseURL }) => {
  const link = await setupLink(baseURL ?? "");
  // The setup form exists only now, before anyone signed up: pages-a11y.spec.ts scans every other page.
  await page.goto(link);
  await expectAccessible(page, "setup");
  await completeSetup(page, link, owner);
  await expect(page).toHaveURL(/\/hosts/);
  await expect(page.getByText("No hosts yet")).toBeVisible();
  await page.screenshot({ path: shot("hosts-empty") });
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await signIn(page, "not the password");
  await expect(page.getByText(/wrong email or password/i)).toBeVisible();
  await signIn(page);
  await expect(page).toHaveURL(/\/hosts/);
});

test("adding a host: confirm its fingerprint, see it online with facts and containers", async ({ page }) => {
  const h1 = sandbox().hosts.find((h) => h.name === "h1");
  if (!h1) throw new Error("sandbox host h1 missing");
  await signIn(page);
  await addHost(page, { name: "h1", address: h1.address, port: h1.port, user: h1.users.docker, fingerprint: h1.hostKeyFingerprint });

  await expect(page).toHaveURL(/\/hosts\/[^/]+$/, { timeout: 90_000 });
  await expect(page.getByRole("heading", { name: "h1" })).toBeVisible();
  await expect(page.getByText("Online").first()).toBeVisible();
  await expect(page.getByText(h1.hostKeyFingerprint).first()).toBeVisible();
  await expect(page.getByText(/docker compose \(v2\)/i)).toBeVisible();
  await expect(page.getByRole("cell", { name: "wharf-sample", exact: true })).toBeVisible();
  await page.screenshot({ path: shot("host-h1"), fullPage: true });

  await page.getByRole("tab", { name: "Images" }).click();
  await expect(page.getByText("wharf-test/busybox:latest")).toBeVisible();

  await page.getByRole("link", { name: "Hosts" }).first().click();
  const row = page.getByRole("row", { name: /^h1 wharf-h1@/ });
  await expect(row.getByText("Online")).toBeVisible();
  await page.screenshot({ path: shot("hosts-list") });
});

test("a changed host key is refused with a warning", async ({ page }) => {
  const h2 = sandbox().hosts.find((h) => h.name === "h2");
  if (!h2) throw new Error("sandbox host h2 missing");
  await signIn(page);
  await addHost(page, { name: "h2", address: h2.address, port: h2.port, user: h2.users.docker, fingerprint: h2.hostKeyFingerprint });
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/, { timeout: 90_000 });
  await expect(page.getByText("Online").first()).toBeVisible();

  rotateHostKey("h2");
  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByRole("dialog");
  await expect(result.getByText("Connection test failed")).toBeVisible({ timeout: 60_000 });
  await expect(result.getByText(/host key .*changed/i)).toBeVisible();
  await page.screenshot({ path: shot("host-key-changed") });
  await result.getByRole("button", { name: "Close" }).click();
  await expect(page.getByText(/error/i).first()).toBeVisible({ timeout: 30_000 });
});
