import { expect, test } from "@playwright/test";
import { strToU8, zipSync } from "fflate";

import { ensureAccount, signInAs } from "../fixtures/a11y";
import { docker, ensureSandboxHost, projectContainers, shot } from "../fixtures/wharf";

// A stack whose folder (a Dockerfile, its source and a config file) arrives as a .zip: saved, deployed, built on h1.
test.describe.configure({ mode: "serial" });

// A team of its own, so the other specs' teams see none of its stacks.
const owner = { name: "Fern Folder", email: "fern@example.test", password: "correct horse battery", team: "Folders" };

const COMPOSE = `services:
  app:
    build:
      context: ./app
    image: wharf-e2e/folderdemo:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    volumes:
      - ./config/app.conf:/etc/app.conf:ro
`;

test("a folder uploaded as a .zip is saved with the stack, built and deployed on h1", async ({ page }) => {
  await ensureAccount(owner);
  await signInAs(page, owner);
  await ensureSandboxHost(page, "h1");
  await page.goto("/hosts");
  await page.getByRole("link", { name: "Stacks" }).click();
  await page.getByRole("button", { name: /New stack|Create your first stack/ }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("folderdemo");
  await dialog.getByRole("checkbox", { name: /h1/ }).check();
  await dialog.getByRole("button", { name: "Create stack" }).click();
  await expect(page.getByRole("heading", { name: "folderdemo" })).toBeVisible();

  const editor = page.getByRole("textbox", { name: "Contents of docker-compose.yaml" });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(COMPOSE);

  await page.getByRole("button", { name: /^Folder/ }).click();
  await expect(page.getByText(/Up to 1000 files, 5(\.0)? Mi?B each/)).toBeVisible();
  const archive = zipSync({
    "folderdemo/app/Dockerfile": strToU8("FROM wharf-test/busybox:latest\nCOPY hello.txt /hello.txt\n"),
    "folderdemo/app/hello.txt": strToU8("hello from the uploaded folder\n"),
    "folderdemo/config/app.conf": strToU8("level=one\n"),
  });
  await page.getByLabel("Files or archive to upload").setInputFiles({ name: "folderdemo.zip", mimeType: "application/zip", buffer: Buffer.from(archive) });
  const list = page.getByRole("list", { name: "Folder files" });
  await expect(list.getByRole("textbox", { name: "Path of app/Dockerfile" })).toBeVisible();
  await expect(list.getByRole("textbox", { name: "Path of config/app.conf" })).toBeVisible();

  // A text file is edited in place.
  await page.getByRole("button", { name: "Edit config/app.conf" }).click();
  const conf = page.getByRole("textbox", { name: "Contents of config/app.conf" });
  await conf.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText("level=two\n");
  await page.screenshot({ path: shot("stacks-folder"), fullPage: true });

  await page.getByRole("button", { name: "Save revision" }).first().click();
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed?").fill("A folder with a Dockerfile");
  await save.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByText("Editing revision #1.")).toBeVisible();

  await page.getByRole("tab", { name: "Deploy" }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByText("Deploy succeeded").first()).toBeVisible({ timeout: 120_000 });
  await page.screenshot({ path: shot("stacks-folder-built"), fullPage: true });

  const container = projectContainers("h1", "folderdemo")[0]?.split(" ")[0] ?? "";
  expect(docker("h1", ["exec", container, "cat", "/hello.txt", "/etc/app.conf"])).toBe("hello from the uploaded folder\nlevel=two\n");
});
