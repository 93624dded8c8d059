import { expect, test } from "@playwright/test";
import { type PrivateSshd, startPrivateSshd } from "@wharf/testing/private-sshd";

import { addHost, projectContainers, sandbox, shot, signInOrSetUp } from "../fixtures/wharf";

// Day-2 operations on one host, in order: edit it, re-pin its key after a "rebuild", remove it taking its stack down.
// The host is an sshd of this spec's own in front of h1's engine, so rotating its key leaves h1 and h2 as others pinned them.
// Runs alone on an empty database (it sets Wharf up) or after the other specs (it signs in as their owner).
test.describe.configure({ mode: "serial" });

const owner = { name: "Ada Lovelace", email: "ada@example.test", password: "correct horse battery", team: "Platform" };
const STACK = "dayops";
const COMPOSE = `services:
  web:
    image: wharf-test/busybox:latest
    command: ["sh", "-c", "while true; do echo web $$(date); sleep 1; done"]
    stop_grace_period: 1s
`;

let sshd: PrivateSshd;
let hostUrl = "";

test.beforeAll(async () => {
  const h1 = sandbox().hosts.find((host) => host.name === "h1");
  if (!h1) throw new Error("sandbox host h1 missing");
  sshd = await startPrivateSshd(h1);
});

test.afterAll(async () => {
  await sshd.stop();
});

test("a host is added, its agent's versions and log are shown, and it is edited after a real connection test", async ({ page, baseURL }) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await addHost(page, { name: "rebuilt", address: sshd.address, port: sshd.port, user: sandbox().hosts[0]?.users.docker ?? "wharf-h1", fingerprint: sshd.fingerprint });
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/, { timeout: 90_000 });
  hostUrl = page.url();
  await expect(page.getByText("Up to date")).toBeVisible();
  await page.getByRole("button", { name: "Show log" }).click();
  await expect(page.getByLabel("Agent log")).toContainText(/info/, { timeout: 30_000 });
  await page.screenshot({ path: shot("host-agent"), fullPage: true });

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "Edit rebuilt" })).toBeVisible();
  await dialog.getByLabel("SSH port").fill("1");
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog.getByText("Connection refused", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: shot("host-edit-refused") });

  await dialog.getByLabel("SSH port").fill(String(sshd.port));
  await dialog.getByLabel("Name").fill("rebuilt-01");
  await page.screenshot({ path: shot("host-edit") });
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });
  await expect(page.getByRole("heading", { name: "rebuilt-01" })).toBeVisible();
});

test("a stack deploys to the host", async ({ page, baseURL }) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await page.getByRole("link", { name: "Stacks" }).first().click();
  await page.getByRole("button", { name: /new stack|create your first stack/i }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(STACK);
  await dialog.getByRole("checkbox", { name: /rebuilt-01/ }).check();
  await dialog.getByRole("button", { name: "Create stack" }).click();
  await expect(page.getByRole("heading", { name: STACK })).toBeVisible();
  const editor = page.getByRole("textbox", { name: "Contents of docker-compose.yaml" });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(COMPOSE);
  await page.keyboard.press("ControlOrMeta+S");
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed?").fill("One web service");
  await save.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByText("Editing revision #1.")).toBeVisible();
  await page.getByRole("tab", { name: "Deploy" }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByText("Deploy succeeded").first()).toBeVisible({ timeout: 120_000 });
  expect(projectContainers("h1", STACK)).toHaveLength(1);
});

test("a rebuilt host: both keys side by side, refused until the new key is accepted after typing the name", async ({ page, baseURL }) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  const oldKey = sshd.fingerprint;
  await page.goto(hostUrl);
  await page.getByRole("tab", { name: "Containers" }).click();
  const containers = page.getByRole("tabpanel", { name: "Containers" });
  await expect(containers.getByText(`${STACK}-web-1`)).toBeVisible({ timeout: 30_000 });
  const newKey = await sshd.rekey();
  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByRole("dialog");
  await expect(result.getByText("Connection test failed")).toBeVisible({ timeout: 60_000 });
  await result.getByRole("button", { name: "Close" }).click();

  const panel = page.getByRole("alert").filter({ hasText: "The host key of rebuilt-01 changed" });
  await expect(panel).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByText(oldKey)).toBeVisible();
  await expect(panel.getByText(newKey)).toBeVisible();
  await expect(panel.getByText(/First seen/)).toBeVisible();
  await page.screenshot({ path: shot("host-key-mismatch"), fullPage: true });
  // The list refreshes into the same refusal: no stale rows, a pointer to the panel's action instead.
  await expect(containers.getByText("the host key changed")).toBeVisible({ timeout: 60_000 });
  await expect(containers.getByRole("link", { name: "Accept the new key" })).toBeVisible();
  await expect(containers.getByText(`${STACK}-web-1`)).toBeHidden();

  await panel.getByRole("button", { name: /Accept the new key/ }).click();
  const confirm = page.getByRole("alertdialog");
  const accept = confirm.getByRole("button", { name: "Accept the new key" });
  await expect(accept).toBeDisabled();
  await confirm.getByLabel(/to confirm/).fill("rebuilt-01");
  await page.screenshot({ path: shot("host-key-accept") });
  await accept.click();
  await expect(panel).toBeHidden({ timeout: 60_000 });
  await expect(page.getByText("Online").first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Earlier host keys" }).getByText(oldKey)).toBeVisible();
});

test("removing the host lists its stack and takes it down first when asked", async ({ page, baseURL }) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await page.goto(hostUrl);
  await page.getByRole("button", { name: "Remove host" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog.getByRole("list", { name: "Stacks targeting rebuilt-01" })).toContainText(STACK);
  await dialog.getByRole("radio", { name: "Take them down first" }).click();
  // h1's user runs this agent too: other suites keep using it.
  await dialog.getByRole("checkbox", { name: /Also stop the agent/ }).uncheck();
  await dialog.getByLabel(/to confirm/).fill("rebuilt-01");
  await page.screenshot({ path: shot("host-remove") });
  await dialog.getByRole("button", { name: "Remove host" }).click();
  await expect(page).toHaveURL(/\/hosts$/, { timeout: 120_000 });
  expect(projectContainers("h1", STACK)).toEqual([]);
});
