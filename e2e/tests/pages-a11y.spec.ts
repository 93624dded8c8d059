import { readFileSync } from "node:fs";

import { type BrowserContext, expect, type Page, test } from "@playwright/test";

import { type Account, ensureAccount, expectAccessible, signInAs } from "../fixtures/a11y";
import { ensureSandboxHost, sandbox, trpc } from "../fixtures/wharf";

// Every page and dialog, scanned by axe-core: zero serious or critical violations.
// Two teams of their own (one left empty, one with h1 and a deployed stack), so
// the scans see the same states whichever specs ran before. Sorts after
// hosts.spec.ts, whose first test needs a database without users.
// The setup form itself is scanned in hosts.spec.ts, the only time it exists.

const EMPTY: Account = { name: "Emmy Noether", email: "emmy@example.test", password: "an empty team password", team: "Empty" };
const FULL: Account = { name: "Alan Turing", email: "alan@example.test", password: "a populated team password", team: "Populated" };

const COMPOSE = `services:
  web:
    image: wharf-test/busybox:latest
    command: ["sh", "-c", "while true; do echo web up; sleep 2; done"]
    stop_grace_period: 1s
`;
const OVERRIDE = `services:
  web:
    environment:
      GREETING: hello
`;

interface World {
  hostId: string;
  stackId: string;
}

interface State {
  name: string;
  /** Who looks: nobody, the owner of the empty team, or of the populated one. */
  as: "signed out" | "empty" | "populated";
  path: string | ((world: World) => string);
  /** What to do once the page is ready: open a dialog, a tab, a menu; it must wait for what it opens. */
  open?: (page: Page) => Promise<void>;
}

const button = (name: string | RegExp) => async (page: Page) => {
  await page.getByRole("button", { name, exact: typeof name === "string" }).first().click();
  await expect(page.getByRole("dialog").or(page.getByRole("alertdialog")).or(page.getByRole("menu")).first()).toBeVisible();
};

// One line per page or dialog: add yours here.
const STATES: State[] = [
  { name: "sign in", as: "signed out", path: "/signin" },
  {
    name: "sign in refused",
    as: "signed out",
    path: "/signin",
    open: async (page) => {
      await page.getByLabel("Email").fill(EMPTY.email);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByText(/wrong email or password/i)).toBeVisible();
    },
  },
  { name: "setup link not valid", as: "signed out", path: "/setup?token=not-a-valid-setup-token" },
  { name: "hosts empty", as: "empty", path: "/hosts" },
  { name: "add host dialog", as: "empty", path: "/hosts", open: button(/add (your first )?host/i) },
  {
    name: "add host dialog, confirm the key",
    as: "empty",
    path: "/hosts",
    open: async (page) => {
      const h1 = sandbox().hosts.find((host) => host.name === "h1");
      if (!h1) throw new Error("sandbox host h1 missing");
      await button(/add (your first )?host/i)(page);
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("h1");
      await dialog.getByLabel("Address").fill(h1.address);
      await dialog.getByLabel("SSH user").fill(h1.users.docker);
      await dialog.getByRole("radio", { name: /paste a private key/i }).click();
      await dialog.getByLabel("Private key").fill(readFileSync(sandbox().clientKey, "utf8"));
      await dialog.getByRole("button", { name: "Continue" }).click();
      await expect(dialog.getByRole("heading", { name: "Confirm the host key" })).toBeVisible({ timeout: 30_000 });
    },
  },
  { name: "stacks empty", as: "empty", path: "/stacks" },
  { name: "new stack dialog", as: "empty", path: "/stacks", open: button(/create (your first )?stack|new stack/i) },
  { name: "keys empty", as: "empty", path: "/keys" },
  { name: "generate key dialog", as: "empty", path: "/keys", open: button("Generate key") },
  { name: "import key dialog", as: "empty", path: "/keys", open: button("Import key") },
  { name: "audit log empty", as: "empty", path: "/audit" },
  { name: "account menu", as: "empty", path: "/hosts", open: button(/account menu|emmy noether/i) },
  { name: "team members", as: "empty", path: "/team" },
  { name: "invite member dialog", as: "empty", path: "/team", open: button("Invite member") },
  { name: "profile", as: "empty", path: "/profile" },
  {
    name: "profile, two-factor enrolment",
    as: "empty",
    path: "/profile",
    open: async (page) => {
      await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
      await expect(page.getByRole("button", { name: "Turn on" })).toBeVisible();
    },
  },
  { name: "approvals empty", as: "empty", path: "/approvals" },
  { name: "guardrails empty", as: "empty", path: "/guardrails" },
  { name: "host not found", as: "empty", path: "/hosts/no-such-host" },
  { name: "stack not found", as: "empty", path: "/stacks/no-such-stack" },

  { name: "hosts", as: "populated", path: "/hosts" },
  { name: "host", as: "populated", path: (w) => `/hosts/${w.hostId}` },
  ...["Images", "Volumes", "Networks", "Events", "Live resources"].map(
    (tab): State => ({
      name: `host ${tab.toLowerCase()} tab`,
      as: "populated",
      path: (w) => `/hosts/${w.hostId}`,
      open: async (page) => {
        await page.getByRole("tab", { name: tab }).click();
        await expect(page.getByRole("tabpanel", { name: tab })).toBeVisible();
      },
    }),
  ),
  ...[
    ["Volumes", "New volume"],
    ["Networks", "New network"],
  ].map(
    ([tab = "", trigger = ""]): State => ({
      name: `new ${tab.toLowerCase().replace(/s$/, "")} dialog`,
      as: "populated",
      path: (w) => `/hosts/${w.hostId}`,
      open: async (page) => {
        await page.getByRole("tab", { name: tab }).click();
        await button(trigger)(page);
      },
    }),
  ),
  ...["Overview", "Logs", "Resources", "Terminal"].map(
    (tab): State => ({
      name: `container ${tab.toLowerCase()} tab`,
      as: "populated",
      path: (w) => `/hosts/${w.hostId}`,
      open: async (page) => {
        await page.getByRole("tab", { name: "Containers" }).click();
        await page.getByRole("tabpanel", { name: "Containers" }).getByRole("link", { name: /shop/ }).first().click();
        await expect(page).toHaveURL(/\/containers\/[^/]+$/);
        await expect(page.getByRole("heading", { level: 1, name: /shop/ })).toBeVisible();
        await page.getByRole("tab", { name: tab }).click();
        await expect(page.getByRole("tabpanel", { name: tab })).toBeVisible();
      },
    }),
  ),
  {
    name: "host connection test dialog",
    as: "populated",
    path: (w) => `/hosts/${w.hostId}`,
    open: async (page) => {
      await button("Test connection")(page);
      await expect(page.getByRole("dialog").getByText(/connection test (passed|failed)/i)).toBeVisible({ timeout: 60_000 });
    },
  },
  { name: "remove host dialog", as: "populated", path: (w) => `/hosts/${w.hostId}`, open: button("Remove host") },
  { name: "stacks", as: "populated", path: "/stacks" },
  ...["files", "preview", "deploy", "status", "logs", "history"].map(
    (tab): State => ({ name: `stack ${tab} tab`, as: "populated", path: (w) => `/stacks/${w.stackId}?tab=${tab}` }),
  ),
  { name: "stack file actions menu", as: "populated", path: (w) => `/stacks/${w.stackId}?tab=files`, open: button("Actions for compose.yaml") },
  { name: "stack hosts dialog", as: "populated", path: (w) => `/stacks/${w.stackId}`, open: button("Edit hosts") },
  { name: "remove stack dialog", as: "populated", path: (w) => `/stacks/${w.stackId}`, open: button("Remove stack") },
  { name: "down dialog", as: "populated", path: (w) => `/stacks/${w.stackId}?tab=deploy`, open: button("Down") },
  { name: "rollback dialog", as: "populated", path: (w) => `/stacks/${w.stackId}?tab=history`, open: button("Roll back to this revision") },
  { name: "deployment output dialog", as: "populated", path: (w) => `/stacks/${w.stackId}?tab=history`, open: button("Output") },
  {
    name: "save revision dialog",
    as: "populated",
    path: (w) => `/stacks/${w.stackId}?tab=files`,
    open: async (page) => {
      await page.getByRole("textbox", { name: "Contents of compose.yaml" }).click();
      await page.keyboard.press("ControlOrMeta+End");
      await page.keyboard.insertText("# edited\n");
      await page.keyboard.press("ControlOrMeta+S");
      await expect(page.getByRole("dialog")).toBeVisible();
    },
  },
  { name: "keys", as: "populated", path: "/keys" },
  { name: "rename key dialog", as: "populated", path: "/keys", open: button(/^Rename key /) },
  { name: "remove key dialog", as: "populated", path: "/keys", open: button(/^Remove key /) },
  { name: "audit log", as: "populated", path: "/audit" },
  { name: "team members, populated", as: "populated", path: "/team" },
  { name: "approvals with a pending request", as: "populated", path: "/approvals" },
  { name: "guardrails", as: "populated", path: "/guardrails" },
  { name: "api tokens", as: "populated", path: "/tokens" },
  { name: "create token dialog", as: "populated", path: "/tokens", open: button("Create token") },
  { name: "registries", as: "populated", path: "/registries" },
  { name: "add registry dialog", as: "populated", path: "/registries", open: button("Add registry") },
  { name: "webhooks", as: "populated", path: "/webhooks" },
  { name: "add webhook dialog", as: "populated", path: "/webhooks", open: button("Add webhook") },
  { name: "chat app", as: "populated", path: "/chat" },
];

// Colours are read once transitions and entry animations are over.
test.use({ reducedMotion: "reduce" });

let world: World = { hostId: "", stackId: "" };
/** Each owner signs in once; every scan of theirs starts with that session's cookies. */
const sessions: Partial<Record<State["as"], Awaited<ReturnType<BrowserContext["cookies"]>>>> = {};

/** h1 and a stack of two files, deployed then saved again, in the populated team; found again on a retry. */
async function populate(page: Page): Promise<World> {
  await signInAs(page, FULL);
  const hostId = await ensureSandboxHost(page, "h1");
  const stacks = await trpc<{ id: string; name: string }[]>(page.request, "stack.list", {}, "query");
  const existing = stacks.data.find((stack) => stack.name === "shop");
  if (existing) return { hostId, stackId: existing.id };
  const files = [{ path: "compose.yaml", content: COMPOSE }];
  const created = await trpc<{ id: string }>(page.request, "stack.create", { name: "shop", targets: [{ hostId }], revision: { message: "first", files } });
  if (!created.ok) throw new Error(`creating shop failed: ${created.error.message}`);
  const stackId = created.data.id;
  const deploy = await trpc(page.request, "deployment.start", { stackId, action: "DEPLOY" });
  if (!deploy.ok) throw new Error(`deploying shop failed: ${deploy.error.message}`);
  await expect
    .poll(async () => (await trpc<{ items: { status: string }[] }>(page.request, "deployment.list", { stackId }, "query")).data.items[0]?.status, { timeout: 120_000 })
    .toBe("SUCCEEDED");
  const saved = await trpc(page.request, "stack.saveRevision", { stackId, message: "a greeting", files: [...files, { path: "override.yaml", content: OVERRIDE }] });
  if (!saved.ok) throw new Error(`saving shop failed: ${saved.error.message}`);
  // A request left pending for the approvals page: asked while the environment was protected, then the protection lifted.
  for (const step of [() => trpc(page.request, "approval.setProtection", { protected: true }), () => trpc(page.request, "approval.request", { stackId, action: "DEPLOY" }), () => trpc(page.request, "approval.setProtection", { protected: false })]) {
    const result = await step();
    if (!result.ok) throw new Error(`asking for an approval failed: ${result.error.message}`);
  }
  return { hostId, stackId };
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  await ensureAccount(EMPTY);
  await ensureAccount(FULL);
  const page = await browser.newPage();
  world = await populate(page);
  sessions.populated = await page.context().cookies();
  await page.close();
  const empty = await browser.newPage();
  await signInAs(empty, EMPTY);
  sessions.empty = await empty.context().cookies();
  await empty.close();
});

for (const state of STATES) {
  test(`${state.name}: no serious or critical accessibility violations`, async ({ page }) => {
    await page.context().addCookies(sessions[state.as] ?? []);
    await page.goto(typeof state.path === "string" ? state.path : state.path(world));
    await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
    await expect(page.locator("[data-slot=skeleton]")).toHaveCount(0, { timeout: 30_000 });
    await state.open?.(page);
    await expectAccessible(page, state.name);
  });
}
