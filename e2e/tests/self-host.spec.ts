import { readdirSync } from "node:fs";
import path from "node:path";

import { expect, test } from "@playwright/test";
import { REPO_ROOT } from "@wharf/testing/env";
import { selfHostedCompose, startSelfHosted, stopSelfHosted } from "@wharf/testing/self-host";

import { addHost, completeSetup, sandbox, shot } from "../fixtures/wharf";

// Wharf as a self-hoster runs it: docker/Dockerfile built, docker/compose.yaml
// (Wharf + its own PostgreSQL) started, then used from the browser against a
// sandbox host. h2: the other suites' Wharf leaves it alone after hosts.spec
// rotates its key, so two installations never upgrade one agent in turn.
test.describe.configure({ mode: "serial" });

const PORT = 3300;
const owner = { name: "Grace Hopper", email: "grace@example.test", password: "another horse battery", team: "Self-hosted" };
let url = "";

test.beforeAll(async () => {
  test.setTimeout(30 * 60_000);
  url = await startSelfHosted(PORT);
});

test.afterAll(async () => {
  test.setTimeout(5 * 60_000);
  await stopSelfHosted();
});

test("the image starts, applies every migration against the compose file's PostgreSQL and prints a setup link", async () => {
  expect(url).toBe(`http://127.0.0.1:${PORT}`);

  await expect(async () => {
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
  }).toPass({ timeout: 60_000 });
  // The server answers only after its launcher applied the migrations.
  const migrations = readdirSync(path.join(REPO_ROOT, "prisma/migrations"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const applied = await selfHostedCompose(["exec", "-T", "postgres", "psql", "-U", "wharf", "-d", "wharf", "-tAc", "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL"]);
  expect(Number(applied.trim())).toBe(migrations.length);
  await expect(async () => {
    expect(await selfHostedCompose(["logs", "--no-log-prefix", "wharf"])).toMatch(/one-time link to create the owner: http:\/\/127\.0\.0\.1:3300\/setup\?token=/);
  }).toPass({ timeout: 30_000 });
});

test("a self-hoster signs up from the printed link, adds a host, and later meets the sign-in page", async ({ page, browser }) => {
  const logs = await selfHostedCompose(["logs", "--no-log-prefix", "wharf"]);
  const link = /(http:\/\/127\.0\.0\.1:3300\/setup\?token=\S+)/.exec(logs)?.[1];
  expect(link).toBeDefined();

  await page.goto(`${url}/signin`);
  await expect(page.getByText(/not set up yet: open the setup link printed in the server log/)).toBeVisible();
  await completeSetup(page, link ?? "", owner);
  await expect(page).toHaveURL(/\/hosts/);
  await expect(page.getByText("No hosts yet")).toBeVisible();

  const h2 = sandbox().hosts.find((host) => host.name === "h2");
  if (!h2) throw new Error("sandbox host h2 missing");
  await addHost(page, { name: "h2", address: h2.address, port: h2.port, user: h2.users.docker, fingerprint: h2.hostKeyFingerprint });
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/, { timeout: 120_000 });
  await expect(page.getByText("Online").first()).toBeVisible();
  await expect(page.getByText(/docker compose \(v2\)/i)).toBeVisible();
  await page.screenshot({ path: shot("self-host-h2"), fullPage: true });

  const stranger = await browser.newPage();
  await stranger.goto(`${url}/hosts`);
  await expect(stranger).toHaveURL(/\/signin/);
  await expect(stranger.getByRole("button", { name: "Sign in" })).toBeVisible();
  await stranger.close();
});
