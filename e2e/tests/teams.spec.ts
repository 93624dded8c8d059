import { expect, type Page, test } from "@playwright/test";

import { completeSetup, setupLink, shot } from "../fixtures/wharf";

// The owner invites a deployer limited to staging; the deployer signs up through the link, creates a
// team of their own and switches between the two; the used link cannot be used again.
test.describe.configure({ mode: "serial" });

const owner = { name: "Ada Lovelace", email: "ada@example.test", password: "correct horse battery", team: "Platform" };
const deployer = { name: "Dee Ployer", email: "dee@example.test", password: "another long password" };

async function signInOwner(page: Page, baseURL: string): Promise<void> {
  const link = await setupLink(baseURL).catch(() => null);
  if (link) {
    await completeSetup(page, link, owner);
  } else {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await expect(page).toHaveURL(/\/hosts/);
}

let inviteLink = "";

test("the owner adds a staging environment and invites a deployer for it", async ({ page, baseURL }) => {
  await signInOwner(page, baseURL!);
  await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members", level: 1 })).toBeVisible();
  if (!(await page.getByText("staging", { exact: true }).isVisible())) {
    await page.getByLabel("New environment name").fill("staging");
    await page.getByRole("button", { name: "Add environment" }).click();
    await expect(page.getByText("staging", { exact: true })).toBeVisible();
  }

  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Role").selectOption("DEPLOYER");
  await dialog.getByText("Only these environments").click();
  await dialog.getByRole("checkbox", { name: "staging" }).check();
  await dialog.getByLabel("Note (optional)").fill("Dee, staging deploys");
  await page.screenshot({ path: shot("team-invite-form") });
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = dialog.getByLabel("Invitation link");
  await expect(link).toHaveValue(/\/invite\/[A-Za-z0-9_-]{43}$/);
  inviteLink = await link.inputValue();
  await page.screenshot({ path: shot("team-invite-link") });
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByText("Dee, staging deploys")).toBeVisible();
});

test("the deployer signs up through the link, creates a team and switches between both", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(inviteLink);
  await expect(page.getByRole("heading", { name: "Join Platform" })).toBeVisible();
  await expect(page.getByText(/invited as deployer in some environments/)).toBeVisible();
  await page.screenshot({ path: shot("team-invite-accept") });
  await page.getByLabel("Your name").fill(deployer.name);
  await page.getByLabel("Email").fill(deployer.email);
  await page.getByLabel("Password").fill(deployer.password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/hosts/);
  const sidebar = page.locator("aside");
  await expect(sidebar.getByText("Platform")).toBeVisible();
  await expect(sidebar.getByText("Deployer")).toBeVisible();

  await sidebar.getByRole("button", { name: `Account menu for ${deployer.name}` }).click();
  await page.getByRole("menuitem", { name: "Create a team" }).click();
  await page.getByRole("dialog").getByLabel("Team name").fill("Dee's lab");
  await page.getByRole("dialog").getByRole("button", { name: "Create team" }).click();
  await expect(sidebar.getByText("Dee's lab")).toBeVisible();
  await expect(sidebar.getByText("Owner")).toBeVisible();

  await sidebar.getByRole("button", { name: `Account menu for ${deployer.name}` }).click();
  await expect(page.getByRole("menuitemradio", { name: /Platform/ })).toBeVisible();
  await page.screenshot({ path: shot("team-switcher") });
  await page.getByRole("menuitemradio", { name: /Platform/ }).click();
  await expect(sidebar.getByText("Platform")).toBeVisible();
  await expect(sidebar.getByText("Deployer")).toBeVisible();
  await context.close();
});

test("a used link is refused, and the owner sees the deployer limited to staging", async ({ browser, page, baseURL }) => {
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(inviteLink);
  await expect(strangerPage.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await expect(strangerPage.getByText(/already used/)).toBeVisible();
  await stranger.close();

  await signInOwner(page, baseURL!);
  await page.goto("/team");
  const row = page.getByRole("row", { name: new RegExp(deployer.email) });
  await expect(row.getByText("Deployer")).toBeVisible();
  await expect(row.getByText("staging")).toBeVisible();
  await expect(page.getByText("No pending invitations")).toBeVisible();
  await page.screenshot({ path: shot("team-members"), fullPage: true });
  // Removing asks first; cancelled here.
  await row.getByRole("button", { name: `Remove ${deployer.name} from the team` }).click();
  await expect(page.getByRole("alertdialog", { name: `Remove ${deployer.name} from the team?` })).toBeVisible();
  await page.screenshot({ path: shot("team-remove-confirm") });
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();
});
