import { expect, test } from "@playwright/test";
import { sandboxHost } from "@wharf/testing/sandbox";
import { buildTestImage } from "@wharf/testing/test-images";

import { docker, ensureSandboxHost, shot, signInOrSetUp } from "../fixtures/wharf";

// Runs alone on an empty database (it sets Wharf up) or after the other specs (it signs in as their owner).
test.describe.configure({ mode: "serial" });

const owner = { name: "Ada Lovelace", email: "ada@example.test", password: "correct horse battery", team: "Platform" };
const suffix = Date.now().toString(36).slice(-4);
const label = `wharf.e2e.images=${suffix}`;
const first = `e2e-layers-${suffix}:1`;
const second = `e2e-layers-other-${suffix}:1`;

test.beforeAll(() => {
  const h1 = sandboxHost("h1");
  buildTestImage(h1, first, [`LABEL ${label}`, "ENV MODE=demo", `RUN echo ${suffix} > /id.txt && head -c 30000 /dev/zero > /blob`]);
  buildTestImage(h1, second, [`LABEL ${label}`, `RUN echo other-${suffix} > /other.txt`]);
});

test.afterAll(() => {
  docker("h1", ["image", "prune", "-a", "-f", "--filter", `label=${label}`]);
});

test("the image page shows each instruction's layer, empty layers marked and the layers shared with other images", async ({ page, baseURL }) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  const hostId = await ensureSandboxHost(page, "h1");
  await page.goto(`/hosts/${hostId}`);
  await page.getByRole("tab", { name: "Images" }).click();
  await page.getByRole("group", { name: "Show images" }).getByRole("button", { name: /^Tagged \d+$/ }).click();
  await expect(page.getByRole("link", { name: first })).toBeVisible();
  await page.screenshot({ path: shot("host-images-actions"), fullPage: true });

  await page.getByRole("link", { name: first }).click();
  await expect(page.getByRole("heading", { level: 1, name: first })).toBeVisible();
  const layers = page.getByRole("list", { name: "Layers" });
  await expect(layers.getByRole("listitem").filter({ hasText: "ENV MODE=demo" })).toContainText("empty layer");
  await expect(layers.getByRole("listitem").filter({ hasText: `RUN echo ${suffix}` })).toContainText(/\d KB/);
  // The base image's layer: held by the other image built on it too.
  await expect(layers.getByRole("link", { name: second }).first()).toBeVisible();
  await page.screenshot({ path: shot("image-layers"), fullPage: true });

  // A prune previews what it would remove before anything goes.
  await page.goto(`/hosts/${hostId}`);
  await page.getByRole("tab", { name: "Images" }).click();
  await page.getByRole("button", { name: "Prune unused" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog.getByText(/would go, .* returned|nothing to remove/)).toBeVisible();
  await page.screenshot({ path: shot("image-prune-preview") });
  await dialog.getByRole("button", { name: "Cancel" }).click();
});
