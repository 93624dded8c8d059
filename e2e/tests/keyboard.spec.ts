import { readFileSync } from "node:fs";

import { expect, type Locator, type Page, test } from "@playwright/test";

import { type Account, ensureAccount, expectNoPositiveTabindex } from "../fixtures/a11y";
import { sandbox, shot } from "../fixtures/wharf";

// The whole story with the keyboard alone: sign in, add h1, create and save a
// stack, deploy it, read its logs, roll back, sign out. Nothing is clicked;
// after every key the focused element must show that it has focus.
// A team of its own, so the walk starts empty whichever specs ran before;
// sorts after hosts.spec.ts, whose first test needs a database without users.

const WALKER: Account = { name: "Grace Walker", email: "walker@example.test", password: "a keyboard only password", team: "Keyboard" };

const COMPOSE_V1 = `services:
  web:
    image: wharf-test/busybox:latest
    command: ["sh", "-c", "while true; do echo walk v1; sleep 1; done"]
    stop_grace_period: 1s
`;
const COMPOSE_V2 = COMPOSE_V1.replace("walk v1", "walk v2");

/** Why the focused element does not show its focus (an outline, or a ring drawn as a spread shadow on it or its frame), or null when it does. */
async function focusProblem(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const active = document.activeElement;
    // Past the last element focus leaves the page for the browser's own controls: nothing to show there.
    if (active === null || active === document.body) return null;
    if (!(active instanceof HTMLElement)) return `focus is on ${active.nodeName}`;
    // A menu item or option shows focus by its highlight instead.
    if (/^(menuitem|option)/.test(active.getAttribute("role") ?? "") && active.hasAttribute("data-highlighted")) {
      const parent = active.parentElement;
      if (parent && getComputedStyle(active).backgroundColor !== getComputedStyle(parent).backgroundColor) return null;
    }
    // The element itself, or the frame drawn around it (an editor's, a card's), up to three levels up.
    let element: HTMLElement | null = active;
    for (let level = 0; element && level < 4; level += 1, element = element.parentElement) {
      const style = getComputedStyle(element);
      if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) return null;
      if (/0px 0px 0px [1-9]/.test(style.boxShadow)) return null;
    }
    const box = active.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return `focus is on an invisible element: ${active.outerHTML.slice(0, 160)}`;
    // Named first: the markup alone rarely says which of many similar buttons it is.
    const name = (active.getAttribute("aria-label") ?? active.textContent ?? "").trim().slice(0, 60);
    return `no visible focus on ${active.tagName.toLowerCase()} "${name}"${active.matches(":focus-visible") ? "" : " (not :focus-visible)"}, box-shadow ${getComputedStyle(active).boxShadow}: ${active.outerHTML.slice(0, 160)}`;
  });
}

async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
  // Polled: the ring appears with the next frame's style (its transition), not at once.
  await expect.poll(() => focusProblem(page), { message: `focus visible after ${key}` }).toBeNull();
}

/**
 * Presses `key` until `target` has focus, checking at each step that focus
 * shows. By default Tab, or Shift+Tab when the target comes before the focus.
 */
async function focus(page: Page, target: Locator, key?: string, max = 80): Promise<void> {
  await expect(target).toBeVisible();
  const handle = await target.elementHandle();
  if (!handle) throw new Error(`${target.toString()} is not on the page`);
  const backwards = await handle.evaluate((element) => {
    const active = document.activeElement;
    return active !== null && active !== document.body && Boolean(element.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  const reached = () => handle.evaluate((element) => element === document.activeElement || element.contains(document.activeElement));
  if (await reached()) return;
  key ??= backwards ? "Shift+Tab" : "Tab";
  for (let presses = 0; presses < max; presses += 1) {
    await press(page, key);
    if (await reached()) return;
  }
  throw new Error(`${target.toString()} not reached after ${max} presses of ${key}`);
}

async function activate(page: Page, target: Locator, key = "Enter"): Promise<void> {
  await focus(page, target);
  await page.keyboard.press(key);
}

async function typeInto(page: Page, target: Locator, text: string): Promise<void> {
  await focus(page, target);
  await page.keyboard.insertText(text);
}

/** Focus stays inside `dialog` however far Tab goes, Escape closes it, and focus returns to `trigger`. */
async function expectDialogTrapsFocus(page: Page, dialog: Locator, trigger: Locator): Promise<void> {
  for (let presses = 0; presses < 25; presses += 1) {
    await press(page, presses % 5 === 4 ? "Shift+Tab" : "Tab");
    expect(await dialog.evaluate((element) => element.contains(document.activeElement)), "focus left the open dialog").toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
}

/** The stack's tab `name`, from anywhere on the stack page: Tab into the tab list, then arrow keys (tabs activate on focus). */
async function openTab(page: Page, name: string): Promise<void> {
  const tab = page.getByRole("tab", { name });
  if ((await tab.getAttribute("aria-selected")) === "true") return;
  await focus(page, page.getByRole("tab", { selected: true }));
  await focus(page, tab, "ArrowRight", 8);
  await expect(tab).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel", { name })).toBeVisible();
}

/** Replaces an editor's whole text, reaching it by keyboard. Leaving it takes Escape first (Tab alone indents). */
async function replaceEditorText(page: Page, editor: Locator, text: string): Promise<void> {
  await focus(page, editor);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
}

test.use({ reducedMotion: "reduce" });

test("sign in, add h1, create, save and deploy a stack, read its logs, roll back and sign out, by keyboard alone", async ({ page }) => {
  test.setTimeout(600_000);
  const h1 = sandbox().hosts.find((host) => host.name === "h1");
  if (!h1) throw new Error("sandbox host h1 missing");
  await ensureAccount(WALKER);

  await page.goto("/signin");
  await expectNoPositiveTabindex(page);
  await typeInto(page, page.getByLabel("Email"), WALKER.email);
  await typeInto(page, page.getByLabel("Password"), WALKER.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/hosts/);
  await expect(page.getByText("No hosts yet")).toBeVisible();
  await expectNoPositiveTabindex(page);

  // The first Tab reaches the skip link, which moves focus to the page itself.
  await press(page, "Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

  // Add h1: the dialog traps focus, Escape closes it and focus returns to the button; then for real.
  const addHost = page.getByRole("button", { name: /add (your first )?host/i }).first();
  await activate(page, addHost);
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expectDialogTrapsFocus(page, dialog, addHost);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await typeInto(page, dialog.getByLabel("Name"), "h1");
  await typeInto(page, dialog.getByLabel("Address"), h1.address);
  await typeInto(page, dialog.getByLabel("SSH user"), h1.users.docker);
  await focus(page, dialog.getByRole("radio", { checked: true }));
  await focus(page, dialog.getByRole("radio", { name: /paste a private key/i }), "ArrowDown", 4);
  // Arrow keys check the radio they reach only while held; Space checks it whatever the key timing.
  await page.keyboard.press("Space");
  await expect(dialog.getByRole("radio", { name: /paste a private key/i })).toBeChecked();
  await typeInto(page, dialog.getByLabel("Private key"), readFileSync(sandbox().clientKey, "utf8"));
  await activate(page, dialog.getByRole("button", { name: "Continue" }));
  await expect(dialog.getByRole("heading", { name: "Confirm the host key" })).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByText(h1.hostKeyFingerprint)).toBeVisible();
  await activate(page, dialog.getByRole("button", { name: "Trust and connect" }));
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/, { timeout: 120_000 });
  await expect(page.getByText("Online").first()).toBeVisible({ timeout: 60_000 });
  await expectNoPositiveTabindex(page);

  // A new stack on h1, its file replaced, saved with Ctrl+S.
  await activate(page, page.getByRole("link", { name: "Stacks" }).first());
  await expect(page).toHaveURL(/\/stacks$/);
  await activate(page, page.getByRole("button", { name: "Create your first stack" }));
  const create = page.getByRole("dialog");
  await typeInto(page, create.getByLabel("Name"), "walk");
  await focus(page, create.getByRole("checkbox", { name: /h1/ }));
  await page.keyboard.press("Space");
  await expect(create.getByRole("checkbox", { name: /h1/ })).toBeChecked();
  await activate(page, create.getByRole("button", { name: "Create stack" }));
  await expect(page.getByRole("heading", { name: "walk", level: 1 })).toBeVisible();
  await expectNoPositiveTabindex(page);

  const editor = page.getByRole("textbox", { name: /^Contents of / });
  await replaceEditorText(page, editor, COMPOSE_V1);
  await page.keyboard.press("ControlOrMeta+S");
  const save = page.getByRole("dialog");
  await expect(save.getByLabel("What changed?")).toBeFocused();
  await page.keyboard.insertText("First version");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Editing revision #1.")).toBeVisible();
  await expect(editor).toBeFocused();

  // Deploy: progress and result are announced by the job's status region.
  await page.keyboard.press("Escape");
  await openTab(page, "Deploy");
  await activate(page, page.getByRole("button", { name: "Deploy", exact: true }));
  const status = page.getByRole("status", { name: "Status of Deploy of revision #1" });
  await expect(status).toContainText("Succeeded", { timeout: 120_000 });
  await expect(page.getByRole("log", { name: "Output of Deploy of revision #1" })).toContainText(/Container walk-web-1\s+Started/);
  await page.screenshot({ path: shot("keyboard-deployed"), fullPage: true });

  // A notification reached with Tab hands focus back when it expires, and the ring shows where focus lands.
  await activate(page, page.getByRole("button", { name: "Create deploy hook" }));
  await activate(page, page.getByRole("button", { name: "Copy the hook URL" }));
  const toast = page.getByRole("region", { name: /^Notifications/ }).locator("[data-sonner-toast]").last();
  await focus(page, toast);
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => page.evaluate(() => document.activeElement?.closest("main") !== null && document.activeElement !== document.body)).toBe(true);
  expect(await focusProblem(page)).toBeNull();

  // The logs, live.
  await openTab(page, "Logs");
  await expect(page.getByRole("log", { name: "Logs of walk on h1" }).getByText("walk v1").first()).toBeVisible({ timeout: 60_000 });

  // Revision #2, deployed; then back to #1 from History.
  await openTab(page, "Files");
  await replaceEditorText(page, editor, COMPOSE_V2);
  await page.keyboard.press("ControlOrMeta+S");
  await expect(save.getByLabel("What changed?")).toBeFocused();
  await page.keyboard.insertText("Second version");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Editing revision #2.")).toBeVisible();
  await page.keyboard.press("Escape");
  await openTab(page, "Deploy");
  await activate(page, page.getByRole("button", { name: "Deploy", exact: true }));
  await expect(page.getByRole("status", { name: "Status of Deploy of revision #2" })).toContainText("Succeeded", { timeout: 120_000 });

  await openTab(page, "History");
  const first = page.getByRole("table", { name: "Revisions" }).getByRole("row").filter({ has: page.getByLabel("Compare from revision 1") });
  const rollBack = first.getByRole("button", { name: "Roll back to this revision" });
  await activate(page, rollBack);
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toBeVisible();
  await expectDialogTrapsFocus(page, confirm, rollBack);
  await page.keyboard.press("Enter");
  await activate(page, confirm.getByRole("button", { name: "Roll back", exact: true }));
  await expect(confirm).toBeHidden();
  const rollback = page.getByRole("table", { name: "Deployments" }).getByRole("row").filter({ hasText: "Rollback" });
  await expect(rollback.getByText("Rollback succeeded")).toBeVisible({ timeout: 120_000 });
  await expectNoPositiveTabindex(page);
  await page.screenshot({ path: shot("keyboard-rolled-back"), fullPage: true });

  // Every job announces its result in its status region: the rollback's shows on the Deploy tab.
  await openTab(page, "Deploy");
  await expect(page.getByRole("status", { name: /^Status of Rollback of revision #\d+$/ })).toContainText("Succeeded", { timeout: 60_000 });

  // Container actions announce theirs in the notifications' live region.
  await activate(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }));
  await activate(page, page.getByRole("table", { name: "Hosts" }).getByRole("link", { name: "h1", exact: true }));
  await activate(page, page.getByRole("tabpanel", { name: "Containers" }).getByRole("link", { name: "walk-web-1", exact: true }));
  await expect(page.getByRole("heading", { name: "walk-web-1", level: 1 })).toBeVisible();
  const notifications = page.getByRole("region", { name: /^Notifications/ });
  const actions = page.getByRole("group", { name: "Actions on walk-web-1" });
  await activate(page, actions.getByRole("button", { name: "Pause", exact: true }));
  await expect(notifications).toContainText("Paused walk-web-1", { timeout: 60_000 });
  await activate(page, actions.getByRole("button", { name: "Unpause", exact: true }));
  await expect(notifications).toContainText("Unpaused walk-web-1", { timeout: 60_000 });

  // Down, confirmed in its dialog, announced like the others.
  await activate(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stacks" }));
  await activate(page, page.getByRole("link", { name: "walk", exact: true }));
  await expect(page.getByRole("heading", { name: "walk", level: 1 })).toBeVisible();
  await openTab(page, "Deploy");
  const down = page.getByRole("button", { name: "Down", exact: true });
  await activate(page, down);
  const takeDown = page.getByRole("alertdialog");
  await expect(takeDown).toBeVisible();
  await typeInto(page, takeDown.getByLabel(/to confirm/), "walk");
  await activate(page, takeDown.getByRole("button", { name: "Take it down" }));
  await expect(takeDown).toBeHidden();
  await expect(page.getByRole("status", { name: /^Status of Down of revision #\d+$/ })).toContainText("Succeeded", { timeout: 120_000 });
  await expectNoPositiveTabindex(page);

  // Sign out from the account menu.
  await activate(page, page.getByRole("button", { name: /^Account menu for Grace Walker/ }));
  const menu = page.getByRole("menu");
  await expect(menu).toBeVisible();
  await focus(page, menu.getByRole("menuitem", { name: "Sign out" }), "ArrowDown", 6);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/signin/);
});
