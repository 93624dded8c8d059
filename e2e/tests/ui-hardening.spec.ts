import { expect, type Page, test } from "@playwright/test";

import {
  ensureSandboxHost,
  shot,
  signInOrSetUp,
  trpc,
} from "../fixtures/wharf";

// Self-contained: sets the owner up and adds h1 when run alone, or reuses what hosts.spec.ts made.
test.describe.configure({ mode: "serial" });

const owner = {
  name: "Ada Lovelace",
  email: "ada@example.test",
  password: "correct horse battery",
  team: "Platform",
};
const IMAGE = "wharf-test/busybox:latest";
const COMPOSE = `services:\n  web:\n    image: ${IMAGE}\n    command: ["sleep", "1000000"]\n`;

async function createStack(
  page: Page,
  name: string,
  hostId: string,
  limits: object = {},
): Promise<string> {
  const created = await trpc<{ id: string }>(page.request, "stack.create", {
    name,
    targets: [{ hostId }],
    revision: {
      message: "first",
      files: [{ path: "compose.yaml", content: COMPOSE }],
      env: [],
      secrets: [],
      limits,
    },
  });
  if (!created.ok)
    throw new Error(`creating ${name} failed: ${created.error.message}`);
  return created.data.id;
}

const suffix = Date.now().toString(36).slice(-4);
let hostId = "";
let plainStackId = "";

test("the hosts list summarises many stacks in one short row; the host page lists them all", async ({
  page,
  baseURL,
}) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  hostId = await ensureSandboxHost(page, "h1");
  for (let i = 0; i < 6; i += 1) {
    const id = await createStack(page, `many-${suffix}-${i}`, hostId);
    if (i === 0) plainStackId = id;
  }
  // One that preflight refuses (h1 cannot grant rtprio 99): recorded as a failed deploy there.
  const failingName = `failing-${suffix}`;
  const failing = await createStack(page, failingName, hostId, {
    web: { ulimits: { rtprio: { soft: 99, hard: 99 } } },
  });
  const refused = await trpc(page.request, "deployment.start", {
    stackId: failing,
    action: "DEPLOY",
  });
  expect(refused.ok).toBe(false);

  await page.goto("/hosts");
  const row = page.getByRole("row", { name: /^h1 wharf-h1@/ });
  await expect(row.getByText("not deployed")).toBeVisible();
  await expect(
    row.getByRole("link", { name: `${failingName}: deploy failed` }),
  ).toBeVisible();
  await expect(row.getByRole("link", { name: /^many-/ })).toHaveCount(0);
  const box = await row.boundingBox();
  expect(box?.height ?? 1000).toBeLessThan(160);
  await page.screenshot({ path: shot("hosts-list-summary"), fullPage: true });

  await row.getByRole("link", { name: /^All \d+ stacks$/ }).click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+#stacks$/);
  const section = page.getByRole("region", { name: /Stacks/ });
  await expect(section.getByRole("link", { name: /^many-/ })).toHaveCount(6);
  await expect(
    section.getByRole("link", { name: `${failingName}: deploy failed` }),
  ).toBeVisible();
  await page.screenshot({ path: shot("host-stacks"), fullPage: true });
});

test("the Images tab lists every image the facts count, with a filter by kind", async ({
  page,
  baseURL,
}) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await page.goto(`/hosts/${hostId}`);
  const factImages = Number(
    (
      await page
        .locator("dt", { hasText: /^Images$/ })
        .locator("xpath=following-sibling::dd[1]")
        .innerText()
    ).trim(),
  );
  await page.getByRole("tab", { name: "Images" }).click();
  const kinds = page.getByRole("group", { name: "Show images" });
  await expect(
    kinds.getByRole("button", { name: `All ${factImages}` }),
  ).toBeVisible();
  await expect(page.getByText(`${factImages} total`)).toBeVisible();
  await kinds
    .getByRole("button", { name: /^Intermediate layers \d+$/ })
    .click();
  await expect(page.getByText("intermediate layer").first()).toBeVisible();
  await page.screenshot({ path: shot("host-images"), fullPage: true });
  await kinds.getByRole("button", { name: /^Tagged \d+$/ }).click();
  await expect(page.getByText(IMAGE)).toBeVisible();
});

test("restart, stop, redeploy and down are disabled where the stack is not deployed, and the API refuses them", async ({
  page,
  baseURL,
}) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await page.goto(`/stacks/${plainStackId}?tab=deploy`);
  const actions = page.getByRole("group", { name: "Actions on h1" });
  await expect(
    actions.getByRole("button", { name: "Deploy", exact: true }),
  ).toBeEnabled();
  for (const name of ["Redeploy", "Restart", "Stop", "Down"])
    await expect(
      actions.getByRole("button", { name, exact: true }),
    ).toBeDisabled();
  await expect(
    page.getByText(
      /is not deployed on h1, so redeploy, restart, stop and down have nothing to act on there/,
    ),
  ).toBeVisible();
  await page.screenshot({
    path: shot("stack-deploy-not-deployed"),
    fullPage: true,
  });

  const refused = await trpc(page.request, "deployment.start", {
    stackId: plainStackId,
    action: "RESTART",
  });
  expect(refused.error.data?.code).toBe("PRECONDITION_FAILED");
  expect(refused.error.message).toMatch(
    /^Cannot restart many-\w+-0 on h1: it is not deployed there/,
  );
});

test("an unsaved edit survives a reload, and leaving with it asks first", async ({
  page,
  baseURL,
}) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  await page.goto(`/stacks/${plainStackId}?tab=files`);
  const editor = page.getByRole("textbox", {
    name: "Contents of compose.yaml",
  });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.insertText("    # kept across reloads\n");
  await expect(page.getByText("Unsaved changes.")).toBeVisible();

  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.type());
    // Reload: go ahead (the draft is kept). An in-app link: stay.
    void (dialog.type() === "beforeunload"
      ? dialog.accept()
      : dialog.dismiss());
  });
  await page.reload();
  await expect(editor).toContainText("# kept across reloads");
  await expect(page.getByText("Unsaved changes.")).toBeVisible();
  await page.screenshot({
    path: shot("stack-files-draft-restored"),
    fullPage: true,
  });

  await page.getByRole("link", { name: "Hosts" }).first().click();
  await expect.poll(() => dialogs).toContain("confirm");
  await expect(page).toHaveURL(new RegExp(`/stacks/${plainStackId}`));
  await expect(editor).toContainText("# kept across reloads");
});

test("a dialog opened while its list is still loading stays open, with what was typed, when the list arrives empty", async ({
  page,
  baseURL,
}) => {
  await signInOrSetUp(page, baseURL ?? "", owner);
  // The volume list is held back until the dialog is open, then arrives empty
  // (h1 may hold volumes other specs made; the empty state is what moved the toolbar).
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/trpc\/[^?]*host\.volumes/, async (route) => {
    await released;
    const response = await route.fetch();
    const procedures = new URL(route.request().url()).pathname.replace("/api/trpc/", "").split(",");
    const body = (await response.json()) as { result?: { data: { json: unknown } } }[];
    const volumes = body[procedures.indexOf("host.volumes")];
    if (volumes?.result) volumes.result.data.json = [];
    await route.fulfill({ response, json: body });
  });
  await page.goto(`/hosts/${hostId}`);
  await page.getByRole("tab", { name: "Volumes" }).click();
  await expect(page.getByRole("table", { name: "Volumes" })).toHaveAttribute("aria-busy", "true");
  await page.getByRole("button", { name: "New volume", exact: true }).click();
  const dialog = page.getByRole("alertdialog", { name: "New volume" });
  await dialog.getByLabel("Name").fill("typed-while-loading");
  release();
  await expect(page.getByText("No volumes on this host yet")).toBeVisible();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue("typed-while-loading");
});
