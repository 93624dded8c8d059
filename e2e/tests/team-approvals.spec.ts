import { type Browser, expect, type Page, test } from "@playwright/test";
import { createDb } from "@wharf/db";
import { testEnv } from "@wharf/testing/env";

import { projectContainers, shot } from "../fixtures/wharf";

// Runs after hosts.spec.ts (the owner and h1 exist). Two people: the owner protects h1's environment and
// invites a deployer; the deployer's deploy waits for approval; the owner approves it; it runs; the audit shows it.
test.describe.configure({ mode: "serial" });

const owner = { email: "ada@example.test", password: "correct horse battery" };
const deployer = { name: "Grace Deployer", email: "grace@example.test", password: "another horse battery" };
const STACK = "gated";
const COMPOSE = `services:
  app:
    image: wharf-test/busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

let stackId = "";
let inviteUrl = "";

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/hosts/);
}

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("the owner protects h1's environment and sees the guardrails of it", async ({ page }) => {
  // The stack itself is written straight to the database: its editor has its own tests.
  const db = createDb(testEnv.e2eDatabaseUrl ?? testEnv.databaseUrl ?? "");
  try {
    // Other specs add an h1 in teams of their own: this one is the owner's.
    const host = await db.host.findFirstOrThrow({
      where: { name: "h1", team: { memberships: { some: { user: { email: owner.email } } } } },
      select: { id: true, teamId: true },
    });
    const stack = await db.stack.create({ data: { teamId: host.teamId, name: STACK, targets: { create: { hostId: host.id } } } });
    await db.stackRevision.create({
      data: { stackId: stack.id, number: 1, message: "first", authorLabel: owner.email, files: [{ path: "compose.yaml", content: COMPOSE }], env: [], secretNames: [], limits: {} },
    });
    stackId = stack.id;
  } finally {
    await db.$disconnect();
  }

  await signIn(page, owner);
  await page.getByRole("link", { name: "Guardrails" }).click();
  await expect(page.getByRole("heading", { name: "Guardrails", exact: true })).toBeVisible();
  await page.getByLabel("Environment").selectOption({ label: "default" });
  await page.getByLabel("Require approval in default").check();
  await page.getByRole("button", { name: "Save protection" }).click();
  await expect(page.getByText("default is protected.")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Deployer may use privileged" })).not.toBeChecked();
  await page.screenshot({ path: shot("guardrails-policy"), fullPage: true });
});

test("the owner invites a deployer, who signs up through the link", async ({ page, browser }) => {
  await signIn(page, owner);
  await page.goto("/team");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Role").selectOption("DEPLOYER");
  await dialog.getByRole("button", { name: "Create link" }).click();
  inviteUrl = await dialog.getByLabel("Invitation link").inputValue();
  expect(inviteUrl).toMatch(/\/invite\//);

  const guest = await newPage(browser);
  await guest.goto(inviteUrl);
  await guest.getByLabel("Your name").fill(deployer.name);
  await guest.getByLabel("Email").fill(deployer.email);
  await guest.getByLabel("Password").fill(deployer.password);
  await guest.getByRole("button", { name: "Create account and join" }).click();
  await expect(guest.getByRole("link", { name: "Stacks" })).toBeVisible();
  await guest.context().close();
});

test("the deployer's deploy waits for approval; the owner approves it; it runs on h1", async ({ page, browser }) => {
  const grace = await newPage(browser);
  await signIn(grace, deployer);
  await grace.goto(`/stacks/${stackId}?tab=deploy`);
  await grace.getByRole("group", { name: "Actions on h1" }).getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(grace.getByText(/This environment is protected: the deploy waits for 1 approval/)).toBeVisible();
  await grace.goto("/approvals");
  await expect(grace.getByText("You asked for it: another member approves or rejects it.")).toBeVisible();
  await expect(grace.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await grace.context().close();
  expect(projectContainers("h1", STACK)).toEqual([]);

  await signIn(page, owner);
  await page.getByRole("link", { name: "Approvals" }).click();
  await expect(page.getByText("Waiting for approval").last()).toBeVisible();
  await expect(page.getByRole("region", { name: "Changes on h1" })).toContainText("runs nothing → revision #1");
  await expect(page.getByLabel("Changes to compose.yaml")).toContainText("+    image: wharf-test/busybox:latest");
  await page.screenshot({ path: shot("approvals-pending"), fullPage: true });
  await page.getByLabel("Comment").fill("ship it");
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Approved: the job is queued.")).toBeVisible();
  await page.getByLabel("Show").selectOption("APPROVED");
  await expect(page.getByRole("list", { name: "Decisions" }).first()).toContainText(`${owner.email} approved`);
  await page.screenshot({ path: shot("approvals-approved"), fullPage: true });

  await expect.poll(() => projectContainers("h1", STACK).length, { timeout: 60_000 }).toBe(1);
  await page.goto(`/stacks/${stackId}?tab=deploy`);
  await expect(page.getByText("Runs revision #1")).toBeVisible({ timeout: 30_000 });
});

test("the audit log shows the request, the approval and the job", async ({ page }) => {
  await signIn(page, owner);
  await page.getByRole("link", { name: "Audit log" }).click();
  // The action filter lists the same names as options: only the visible entries count.
  for (const action of ["approval.request", "approval.approve", "deployment.request", "environment.protection"]) {
    await expect(page.getByText(action, { exact: true }).filter({ visible: true }).first()).toBeVisible();
  }
  await expect(page.getByText(/Approved the request to deploy gated \(asked by grace@example\.test; 1 of 1 approval\(s\)\): ship it/)).toBeVisible();
  await page.screenshot({ path: shot("approvals-audit"), fullPage: true });
});

// The specs after this one deploy to h1 in the same team: lift the protection this one set.
test.afterAll(async () => {
  const db = createDb(testEnv.e2eDatabaseUrl ?? testEnv.databaseUrl ?? "");
  try {
    await db.environmentProtection.deleteMany({ where: { environment: { team: { memberships: { some: { user: { email: owner.email } } } } } } });
  } finally {
    await db.$disconnect();
  }
});
