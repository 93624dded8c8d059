import { expect, type Page, test } from "@playwright/test";

import { docker, shot } from "../fixtures/wharf";

// Runs after hosts.spec.ts, which signs the owner up and adds h1.
test.describe.configure({ mode: "serial" });

const owner = { email: "ada@example.test", password: "correct horse battery" };
const name = `e2e-term-${Date.now().toString(36)}`;
const volume = `${name}-data`;

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
  docker("h1", ["run", "-d", "--init", "--name", name, "-e", "PLAIN=visible-after-reveal", "--memory", "64m", "--label", "tier=e2e", "-v", `${volume}:/data`, "wharf-test/busybox:latest", "sleep", "1000000"]);
  docker("h1", ["exec", name, "sh", "-c", "mkdir -p /data/conf && printf 'listen 8080\\nworkers 4\\n' > /data/conf/app.conf && printf 'report' > /data/report.csv"]);
});

test.afterAll(() => {
  docker("h1", ["rm", "-f", name]);
  docker("h1", ["volume", "rm", "-f", volume]);
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

test("a volume a container wrote, browsed read-only: a folder, a text file and a download; the host's usage beside the charts", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "h1", exact: true }).first().click();
  await page.getByRole("tab", { name: "Volumes" }).click();
  await page.getByLabel("Filter volumes").fill(volume);
  await page.getByRole("button", { name: `Browse volume ${volume}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: `Files in ${volume}` })).toBeVisible();
  const files = dialog.getByRole("list", { name: "Files in /" });
  await expect(files.getByRole("button", { name: "conf", exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(files).toContainText("report.csv");
  await files.getByRole("button", { name: "conf", exact: true }).click();
  await dialog.getByRole("list", { name: "Files in /conf" }).getByRole("button", { name: "app.conf", exact: true }).click();
  await expect(dialog.getByLabel("Contents of conf/app.conf")).toContainText("listen 8080");
  await expect(dialog.getByLabel("Contents of conf/app.conf")).toContainText("workers 4");
  await page.screenshot({ path: shot("volume-browser") });

  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: /^Download/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("app.conf");
  await page.keyboard.press("Escape");

  await page.getByRole("tab", { name: "Live resources" }).click();
  const usage = page.getByRole("meter", { name: "Disk" });
  await expect(usage).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/Docker data \(/)).toBeVisible();
  await page.screenshot({ path: shot("host-usage"), fullPage: true });
});
