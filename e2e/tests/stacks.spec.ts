import { expect, type Locator, type Page, test } from "@playwright/test";

import { docker, projectContainers, shot } from "../fixtures/wharf";

// Runs after hosts.spec.ts, which signs the owner up and adds h1 and h2 (h2's key is rotated at its end: h1 it is).
// The tests follow one story on one stack, in order: each starts where the previous one left off.
test.describe.configure({ mode: "serial" });

const owner = { email: "ada@example.test", password: "correct horse battery" };

// sh as PID 1 ignores SIGTERM: a short grace period keeps recreating and stopping quick.
const BASE_FILE = `services:
  web:
    image: wharf-test/busybox:latest
    command: ["sh", "-c", "while true; do echo web $$(date); sleep 1; done"]
    stop_grace_period: 1s
`;
const SERVICE_FILE = `services:
  worker:
    image: wharf-test/busybox:latest
    command: ["sh", "-c", "i=0; while true; do i=$$((i+1)); echo worker tick $$i; sleep 1; done"]
    stop_grace_period: 1s
`;
// Revision #3: the same web service with one harmless addition.
const BASE_FILE_V3 = BASE_FILE.replace("    stop_grace_period: 1s\n", "    stop_grace_period: 1s\n    environment:\n      GREETING: hello\n");

let stackUrl = "";

async function signIn(page: Page): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/hosts/);
}

/** Replaces a CodeMirror editor's whole document, as typing would. */
async function setEditor(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
}

async function openTab(page: Page, name: string): Promise<void> {
  await page.goto(stackUrl);
  await page.getByRole("tab", { name }).click();
}

test("a stack of two compose files is created, checked as typed, saved and previewed on h1", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Stacks" }).click();
  await expect(page.getByText("No stacks yet")).toBeVisible();
  await page.screenshot({ path: shot("stacks-empty") });

  await page.getByRole("button", { name: "Create your first stack" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Demo");
  await expect(dialog.getByText("Use lowercase letters only.")).toBeVisible();
  await dialog.getByLabel("Name").fill("demo");
  await dialog.getByLabel("Description (optional)").fill("A web and a worker");
  await dialog.getByRole("checkbox", { name: /h1/ }).check();
  await page.screenshot({ path: shot("stacks-new") });
  await dialog.getByRole("button", { name: "Create stack" }).click();
  await expect(page).toHaveURL(/\/stacks\/[^/?]+/);
  await expect(page.getByRole("heading", { name: "demo" })).toBeVisible();
  stackUrl = page.url().split("?")[0] ?? "";

  // The first file, renamed; then a second one in a subdirectory.
  await page.getByRole("button", { name: "Actions for docker-compose.yaml" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  await page.getByLabel("Rename docker-compose.yaml").fill("docker-compose.sample-service.yaml");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await setEditor(page, page.getByRole("textbox", { name: "Contents of docker-compose.sample-service.yaml" }), BASE_FILE);
  await page.getByLabel("Add a file (relative path)").fill("service/docker-compose.service.yaml");
  await page.getByRole("button", { name: "Add", exact: true }).click();

  // Invalid YAML is reported with its file and line while typing.
  const serviceEditor = page.getByRole("textbox", { name: "Contents of service/docker-compose.service.yaml" });
  await setEditor(page, serviceEditor, "services:\n  worker:\n    image: [oops\n");
  await expect(page.getByText(/service\/docker-compose\.service\.yaml line \d+/)).toBeVisible();
  await page.screenshot({ path: shot("stacks-yaml-error") });
  // Valid YAML, but not compose: once typing pauses, compose on h1 checks the full spec, and its error lands on the line.
  await setEditor(page, serviceEditor, SERVICE_FILE.replace("    command:", "    restart_policy: always\n    command:"));
  await expect(page.getByRole("button", { name: /^service\/docker-compose\.service\.yaml line 4: services\.worker Additional property restart_policy is not allowed$/ })).toBeVisible({
    timeout: 30_000,
  });
  await page.screenshot({ path: shot("stacks-schema-error") });
  await setEditor(page, serviceEditor, SERVICE_FILE);
  await expect(page.getByText(/problems? to fix/)).toBeHidden();

  // Ctrl+S in the editor saves a revision, after naming it.
  await page.keyboard.press("ControlOrMeta+S");
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed?").fill("A web and a worker");
  await save.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByText("Editing revision #1.")).toBeVisible();
  await page.screenshot({ path: shot("stacks-files"), fullPage: true });

  await page.getByRole("tab", { name: "Preview" }).click();
  // What compose printed on h1: the project name first, and both files' services merged.
  const merged = page.getByRole("textbox", { name: "Merged compose config on h1" });
  await expect(merged).toContainText("name: demo", { timeout: 60_000 });
  await expect(page.getByText("2. service/docker-compose.service.yaml")).toBeVisible();
  await expect(merged.getByText("worker", { exact: true })).toBeVisible();
  await page.screenshot({ path: shot("stacks-preview"), fullPage: true });
});

test("deploying to h1 streams the job's output as it runs, then both services run", async ({ page }) => {
  await signIn(page);
  await openTab(page, "Deploy");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const output = page.getByRole("log", { name: /Output of Deploy of revision #1/ });
  await expect(output).toContainText("compose up", { timeout: 60_000 });
  await expect(page.getByText("Deploy succeeded").first()).toBeVisible({ timeout: 120_000 });
  await expect(output).toContainText(/Container demo-worker-1\s+Started/);
  await page.screenshot({ path: shot("stacks-deployed"), fullPage: true });

  await page.getByRole("tab", { name: "Status" }).click();
  const containers = page.getByRole("table", { name: "Containers of demo on h1" });
  await expect(containers.getByRole("row", { name: /web/ }).getByText("running")).toBeVisible({ timeout: 60_000 });
  await expect(containers.getByRole("row", { name: /worker/ }).getByText("running")).toBeVisible();
  await expect(page.getByText("In sync with the deployed revision")).toBeVisible();
  await page.screenshot({ path: shot("stacks-status"), fullPage: true });

  // The list shows what runs on each host.
  await page.getByRole("link", { name: "Stacks" }).first().click();
  const row = page.getByRole("row", { name: /demo/ });
  await expect(row.getByRole("link", { name: "h1: running" })).toBeVisible();
  await page.screenshot({ path: shot("stacks-list") });
});

test("the logs interleave both services, live", async ({ page }) => {
  await signIn(page);
  await openTab(page, "Logs");
  await expect(page.getByText("Live")).toBeVisible({ timeout: 60_000 });
  const logs = page.getByRole("log", { name: "Logs of demo on h1" });
  await expect(logs.getByText(/worker tick \d+/).first()).toBeVisible({ timeout: 30_000 });
  await expect(logs.getByText(/^web \w{3} \w{3}/).first()).toBeVisible();
  await page.screenshot({ path: shot("stacks-logs") });

  // Hiding a service hides its lines; search marks the other's.
  await page.getByRole("button", { name: "web", exact: true }).click();
  await expect(logs.getByText(/^web \w{3} \w{3}/)).toHaveCount(0);
  await page.getByLabel("Search the logs").fill("tick");
  await expect(page.getByText(/^\d+ (of \d+|matches)$/)).toBeVisible();
  await page.screenshot({ path: shot("stacks-logs-filtered") });
});

test("a runtime limit h1 cannot grant (ulimit rtprio=99) is refused by preflight, and nothing is deployed", async ({ page }) => {
  await signIn(page);
  await openTab(page, "Files");
  await page.getByRole("button", { name: "Runtime limits" }).click();
  await page.getByRole("group", { name: "Service", exact: true }).getByRole("button", { name: "web" }).click();
  // One value alone sets both the soft and the hard limit.
  await page.getByLabel("rtprio soft").fill("99");
  await expect(page.getByRole("button", { name: /^Runtime limits\s*1 service$/ })).toBeVisible();
  await page.screenshot({ path: shot("stacks-limits"), fullPage: true });
  await page.getByRole("button", { name: "Save revision" }).click();
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed?").fill("Real-time priority for web");
  await save.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByText("Editing revision #2.")).toBeVisible();

  const before = projectContainers("h1", "demo");
  expect(before).toHaveLength(2);
  await page.getByRole("tab", { name: "Deploy" }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Preflight refused: nothing was deployed" });
  await expect(refusal).toBeVisible({ timeout: 60_000 });
  await expect(refusal).toContainText(/host h1 cannot grant ulimit rtprio=99/);
  // The refused job is kept, failed, with the checks as its output.
  const output = page.getByRole("log", { name: "Output of Deploy of revision #2" });
  await expect(output).toContainText("Preflight on h1 refused the deploy; nothing was changed.");
  await expect(output).toContainText(/host h1 cannot grant ulimit rtprio=99/);
  await expect(page.getByText("Runs revision #1, deployed")).toBeVisible();
  await page.screenshot({ path: shot("stacks-preflight-refused"), fullPage: true });
  // The same two containers still run revision #1.
  expect(projectContainers("h1", "demo")).toEqual(before);

  await page.getByRole("tab", { name: "Status" }).click();
  await expect(page.getByText("Revision #1 deployed")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("In sync with the deployed revision")).toBeVisible();
});

test("without the limit, revision #3 deploys; History shows what changed and rolls h1 back to #1", async ({ page }) => {
  await signIn(page);
  await openTab(page, "Files");
  await page.getByRole("button", { name: "Runtime limits" }).click();
  await page.getByRole("group", { name: "Service", exact: true }).getByRole("button", { name: /^web/ }).click();
  await page.getByRole("button", { name: "Clear the limits of web" }).click();
  await expect(page.getByRole("button", { name: "Runtime limits", exact: true })).toBeVisible();
  await page.getByRole("list", { name: "Compose files, in -f order" }).getByRole("button", { name: /^1\s*docker-compose\.sample-service\.yaml$/ }).click();
  await setEditor(page, page.getByRole("textbox", { name: "Contents of docker-compose.sample-service.yaml" }), BASE_FILE_V3);
  await page.keyboard.press("ControlOrMeta+S");
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed?").fill("No real-time priority; a greeting for web");
  await save.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByText("Editing revision #3.")).toBeVisible();

  await page.getByRole("tab", { name: "Deploy" }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const deploy = page.getByRole("region", { name: "Deploy of revision #3" });
  await expect(deploy.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(deploy.getByRole("log")).toContainText(/Container demo-web-1\s+Started/);
  await expect(page.getByText("Runs revision #3, deployed")).toBeVisible();
  expect(docker("h1", ["inspect", "--format", "{{json .Config.Env}}", "demo-web-1"])).toContain("GREETING=hello");

  // What changed: #2 → #3 by default (the limit went), then #1 → #3 (the file).
  await page.getByRole("tab", { name: "History" }).click();
  const revisions = page.getByRole("table", { name: "Revisions" });
  await expect(revisions.getByRole("row")).toHaveCount(4);
  const limitsDiff = page.getByRole("region", { name: "Changes from revision 2 to 3" });
  await expect(limitsDiff.getByRole("listitem").filter({ hasText: /^removed\s*web/ })).toContainText("ulimits.rtprio.soft: 99 → —");
  await revisions.getByLabel("Compare from revision 1").check();
  const diff = page.getByRole("region", { name: "Changes from revision 1 to 3" });
  await expect(diff.getByText("docker-compose.sample-service.yaml", { exact: true })).toBeVisible();
  await expect(diff.getByText("modified", { exact: true })).toBeVisible();
  await expect(diff.getByText("GREETING: hello").first()).toBeVisible();
  await page.screenshot({ path: shot("stacks-diff"), fullPage: true });

  const first = revisions.getByRole("row").filter({ has: page.getByLabel("Compare from revision 1") });
  await first.getByRole("button", { name: "Roll back to this revision" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByRole("checkbox", { name: /h1/ })).toBeChecked();
  await page.screenshot({ path: shot("stacks-rollback-confirm") });
  await confirm.getByRole("button", { name: "Roll back", exact: true }).click();
  await expect(confirm).toBeHidden();
  const rollback = page.getByRole("table", { name: "Deployments" }).getByRole("row").filter({ hasText: "Rollback" });
  await expect(rollback.getByText("Rollback succeeded")).toBeVisible({ timeout: 120_000 });
  await expect(rollback.getByRole("cell", { name: "#1", exact: true })).toBeVisible();
  await page.screenshot({ path: shot("stacks-history-rollback"), fullPage: true });

  // h1 runs #1 again: the greeting is gone from web.
  await page.getByRole("tab", { name: "Status" }).click();
  await expect(page.getByText("Revision #1 deployed")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("In sync with the deployed revision")).toBeVisible({ timeout: 30_000 });
  expect(docker("h1", ["inspect", "--format", "{{json .Config.Env}}", "demo-web-1"])).not.toContain("GREETING");
});

test("down, after typing the stack's name, removes its containers from h1", async ({ page }) => {
  await signIn(page);
  await openTab(page, "Deploy");
  await page.getByRole("button", { name: "Down", exact: true }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByRole("button", { name: "Take it down" })).toBeDisabled();
  await confirm.getByLabel(/to confirm/).fill("demo");
  await page.screenshot({ path: shot("stacks-down-confirm") });
  await confirm.getByRole("button", { name: "Take it down" }).click();
  await expect(page.getByText("Down succeeded").first()).toBeVisible({ timeout: 120_000 });

  await page.getByRole("tab", { name: "Status" }).click();
  await expect(page.getByText("No containers of demo on h1")).toBeVisible({ timeout: 60_000 });
  expect(projectContainers("h1", "demo")).toEqual([]);
  await page.getByRole("tab", { name: "History" }).click();
  await expect(page.getByRole("table", { name: "Deployments" }).getByText("Down succeeded")).toBeVisible();
  await page.screenshot({ path: shot("stacks-history"), fullPage: true });
});
