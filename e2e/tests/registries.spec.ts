import { expect, type Page, test } from "@playwright/test";
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { testEnv } from "@wharf/testing/env";
import { registryManifest, startTestRegistry, type TestRegistry } from "@wharf/testing/test-registry";

import { docker, ensureSandboxHost, shot } from "../fixtures/wharf";

// Its own user, team and registry: runs alone or after any other spec.
test.describe.configure({ mode: "serial" });

const PASSWORD = "correct horse battery";
const AUTH = { username: "e2e-pusher", password: "e2e registry password" };
let deps: WharfDeps;
let user: TestUser;
let registry: TestRegistry;

test.beforeAll(async () => {
  deps = createTestDeps(testEnv.e2eDatabaseUrl ?? testEnv.databaseUrl);
  user = await createTestUser(deps, { password: PASSWORD });
  registry = await startTestRegistry({ auth: AUTH });
});

test.afterAll(async () => {
  await registry.stop();
  await closeWharfDeps(deps);
});

async function signIn(page: Page): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/hosts/);
}

test("a team adds a registry, tests it, and pushes an image from a host's Images tab", async ({ page }) => {
  await signIn(page);
  const hostId = await ensureSandboxHost(page, "h1");

  await page.getByRole("link", { name: "Registries" }).click();
  await page.getByRole("button", { name: "Add registry" }).click();
  const add = page.getByRole("dialog");
  await add.getByLabel("Name").fill("local");
  await add.getByLabel("URL").fill(`http://${registry.address}`);
  await add.getByLabel("User (optional)").fill(AUTH.username);
  await add.getByLabel("Password").fill(AUTH.password);
  await add.getByRole("button", { name: "Add registry" }).click();
  const table = page.getByRole("table", { name: "Registries" });
  await expect(table.getByRole("row", { name: /local/ })).toBeVisible();
  // Write-only: the page never holds the password.
  expect(await page.content()).not.toContain(AUTH.password);
  await page.getByRole("button", { name: "Test the connection to local" }).click();
  await expect(page.getByText(`local: Logged in to http://${registry.address} as ${AUTH.username}.`)).toBeVisible();
  await page.screenshot({ path: shot("registries"), fullPage: true });

  await page.goto(`/hosts/${hostId}`);
  await page.getByRole("tab", { name: "Images" }).click();
  await page.getByRole("button", { name: "Push wharf-test/busybox:latest to a registry" }).click();
  const push = page.getByRole("dialog");
  await push.getByLabel("Repository").fill("e2e/busybox");
  await push.getByLabel("Tag").fill("1");
  await push.getByRole("button", { name: "Push", exact: true }).click();
  await expect(push.getByText(`Pushed ${registry.address}/e2e/busybox:1`)).toBeVisible();
  await expect(push.getByRole("list", { name: "Layers" }).getByText("Pushed")).not.toHaveCount(0);
  await page.screenshot({ path: shot("push-image"), fullPage: true });
  const stored = await registryManifest(registry, "e2e/busybox", "1", AUTH);
  await expect(push.getByText(stored.digest ?? "no digest")).toBeVisible();
  docker("h1", ["rmi", `${registry.address}/e2e/busybox:1`]);
});

test("a stack's Build and push builds its service on h1, pushes it to the registry, and the build shows in the stack's history", async ({ page }) => {
  await signIn(page);
  const hostId = await ensureSandboxHost(page, "h1");
  const reference = `${registry.address}/e2e/built:1`;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const stack = await user.caller.stack.create({
    name: "buildpush",
    targets: [{ hostId }],
    revision: {
      files: [{ path: "compose.yaml", content: `services:\n  web:\n    build: ./web\n    image: ${reference}\n  cache:\n    image: wharf-test/busybox:latest\n` }],
      tree: [{ path: "web/Dockerfile", content: b64("FROM wharf-test/busybox:latest\nRUN echo built-by-e2e > /built\n") }],
    },
  });

  await page.goto(`/stacks/${stack.id}?tab=deploy`);
  await expect(page.getByText(`Build and push: web → local (e2e/built:1); skips cache.`)).toBeVisible();
  await page.getByRole("group", { name: "Actions on h1" }).getByRole("button", { name: "Build and push" }).click();
  await expect(page.getByText(new RegExp(`^Pushed ${reference.replaceAll(".", "\\.")}: digest sha256:`))).toBeVisible({ timeout: 60_000 });
  const stored = await registryManifest(registry, "e2e/built", "1", AUTH);
  await expect(page.getByText(`Pushed ${reference}: digest ${stored.digest ?? "?"}`)).toBeVisible();
  await page.screenshot({ path: shot("stack-build-push"), fullPage: true });

  await page.getByRole("tab", { name: "History" }).click();
  const builds = page.getByRole("table", { name: "Builds" });
  const row = builds.getByRole("row", { name: /Build and push succeeded/ });
  await expect(row).toBeVisible();
  await expect(row.getByText(`digest ${(stored.digest ?? "").slice(0, 19)}…`)).toBeVisible();
  await page.screenshot({ path: shot("stack-builds"), fullPage: true });
  await row.getByRole("button", { name: "Output of the build and push on h1" }).click();
  await expect(page.getByRole("dialog").getByText(`Pushed ${reference}: digest ${stored.digest ?? "?"}`)).toBeVisible();
  docker("h1", ["rmi", reference]);
});
