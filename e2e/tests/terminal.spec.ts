import { expect, type Page, test } from "@playwright/test";

import { docker, shot } from "../fixtures/wharf";

// Runs after hosts.spec.ts, which signs the owner up and adds h1.
test.describe.configure({ mode: "serial" });

const owner = { email: "ada@example.test", password: "correct horse battery" };
const name = `e2e-term-${Date.now().toString(36)}`;

async function signIn(page: Page): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/hosts/);
}

/** What xterm.js shows, row by row. */
async function screenText(page: Page): Promise<string> {
  return page.locator(".xterm-rows").innerText();
}

test.beforeAll(() => {
  docker("h1", ["run", "-d", "--init", "--name", name, "-e", "PLAIN=visible-after-reveal", "--memory", "64m", "--label", "tier=e2e", "wharf-test/busybox:latest", "sleep", "1000000"]);
});

test.afterAll(() => {
  docker("h1", ["rm", "-f", name]);
});

test("a container's page, then a terminal that follows the window and leaves nothing behind", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "h1", exact: true }).first().click();
  // The shared host may list more containers than one page holds.
  await page.getByLabel("Filter containers").fill(name);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("64 MB", { exact: true })).toBeVisible();
  await expect(page.getByText("visible-after-reveal")).toHaveCount(0);
  await page.getByRole("button", { name: "Reveal values" }).click();
  await expect(page.getByText("visible-after-reveal")).toBeVisible();
  await page.screenshot({ path: shot("container-page"), fullPage: true });

  await page.getByRole("tab", { name: "Terminal" }).click();
  await page.getByRole("button", { name: "Open terminal" }).click();
  await expect(page.getByText(/Connected · shell pid \d+/)).toBeVisible();
  await expect.poll(() => screenText(page)).toMatch(/[#$]/);
  const terminal = page.getByTestId("terminal");
  await terminal.click();
  await page.keyboard.type("stty size; echo done-$((6*7))\n");
  await expect.poll(() => screenText(page)).toMatch(/done-42/);
  const first = /(\d+) (\d+)\s+done-42/.exec(await screenText(page));
  expect(first).not.toBeNull();

  // A narrower window: the terminal refits, and the shell hears of it.
  await page.setViewportSize({ width: 900, height: 700 });
  // The refit and its resize call are debounced: let them land before the shell is asked.
  await page.waitForTimeout(1_000);
  await page.keyboard.type("clear; stty size; echo again-$((6*7))\n");
  await expect.poll(() => screenText(page)).toMatch(/again-42/);
  const second = /(\d+) (\d+)\s+again-42/.exec(await screenText(page));
  expect(second?.[2]).not.toBe(first?.[2]);

  await page.keyboard.type("sleep 5151\n");
  await expect.poll(() => docker("h1", ["exec", name, "ps", "-o", "args"])).toMatch(/sleep 5151/);
  await page.screenshot({ path: shot("container-terminal"), fullPage: true });

  // Leaving the page closes the connection: the agent ends the shell and its child.
  await page.goto("/hosts");
  await expect.poll(() => docker("h1", ["exec", name, "ps", "-o", "args"]), { timeout: 20_000 }).not.toMatch(/sleep 5151/);
});
