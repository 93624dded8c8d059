import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { acceptInteraction, acceptSlashCommand, type ChatMessage } from "../chat-bot";
import { WharfError } from "../errors";
import { startQueueWorkers } from "../queue-workers";
import { slackSignature, verifyChatRequest } from "../services/chat";
import { Queue } from "../services/queue";
import { type Receiver, startReceiver } from "../test-support/receiver";
import { addHosts, containersOf, IMAGE, inspect, removeProject, sandboxHost, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// The Slack-style bot end to end: signed requests, a linked user, a real deploy on h1, replies posted to a
// local server standing in for the chat service's response_url, and a signed button press that rolls back.

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let viewer: TestUser;
let integrationId = "";
let chat: Receiver;
let hooks: Receiver;
let h1 = "";
const projects: string[] = [];

function compose(tag: string): string {
  return `services:\n  app:\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo hello-${tag}; sleep 3600"]\n    labels:\n      revision: "${tag}"\n`;
}

/** A request body signed as the chat service signs it, `ageS` seconds ago. */
function signed(body: string, { ageS = 0, secret = SECRET } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000) - ageS);
  return { timestamp, signature: slackSignature(secret, timestamp, body), body };
}

function commandBody(user: string, text: string): string {
  return new URLSearchParams({ user_id: user, user_name: user, text, response_url: `${chat.url}/response`, command: "/wharf" }).toString();
}

/** What the route does with a slash command: verify, then accept. */
async function slash(user: string, text: string): Promise<ChatMessage> {
  const body = commandBody(user, text);
  const integration = await verifyChatRequest(deps, integrationId, signed(body));
  return acceptSlashCommand(deps, integration, Object.fromEntries(new URLSearchParams(body)) as never);
}

async function press(user: string, action: "approve" | "reject" | "rollback", value: string): Promise<ChatMessage> {
  const payload = { type: "block_actions", user: { id: user, username: user }, response_url: `${chat.url}/response`, actions: [{ action_id: action, value }] };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const integration = await verifyChatRequest(deps, integrationId, signed(body));
  return acceptInteraction(deps, integration, payload as never);
}

async function reply(matching: RegExp, timeoutMs = 90_000): Promise<ChatMessage> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = chat.received.map((r) => JSON.parse(r.body) as ChatMessage).find((m) => matching.test(m.text));
    if (found) return found;
    if (Date.now() > until) throw new Error(`No reply matching ${String(matching)}; got: ${chat.received.map((r) => r.body).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function link(user: TestUser, chatUser: string): Promise<void> {
  const answer = await slash(chatUser, "status");
  const token = /token=([^\s&]+)/.exec(answer.text)?.[1];
  expect(token).toBeTruthy();
  await user.caller.chat.link({ token: decodeURIComponent(token ?? "") });
  await expectTrpcError(user.caller.chat.link({ token: decodeURIComponent(token ?? "") }), "NOT_FOUND", /unknown, used or expired/);
}

beforeAll(async () => {
  deps = createTestDeps();
  deps.queue = new Queue(deps.config.databaseUrl, deps.log, { retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 });
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  viewer = await createTestUser(deps, { teamId: owner.teamId, role: "VIEWER" });
  ({ h1 = "" } = await addHosts(owner, ["h1"]));
  chat = await startReceiver();
  hooks = await startReceiver();
  // The local response_url and webhook receiver are loopback addresses.
  await owner.caller.webhook.setAllowPrivate({ allow: true });
  integrationId = (await owner.caller.chat.setSigningSecret({ signingSecret: SECRET })).id;
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
  await startQueueWorkers(deps);
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(sandboxHost("h1"), project);
  await chat.close();
  await hooks.close();
  await closeWharfDeps(deps);
});

describe("chat requests are verified", () => {
  const kinds = {
    "slash command": () => commandBody("U1", "help"),
    interaction: () => new URLSearchParams({ payload: JSON.stringify({ type: "block_actions", user: { id: "U1" }, actions: [] }) }).toString(),
  };
  for (const [kind, body] of Object.entries(kinds)) {
    it(`accepts a good ${kind} once and refuses a wrong, stale or replayed one`, async () => {
      const refusal = async (request: Parameters<typeof verifyChatRequest>[2], message: RegExp) => {
        const error = await verifyChatRequest(deps, integrationId, request).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(WharfError);
        expect((error as WharfError).code).toBe("UNAUTHORIZED");
        expect((error as WharfError).message).toMatch(message);
      };
      const good = signed(body());
      expect(await verifyChatRequest(deps, integrationId, good)).toEqual({ id: integrationId, teamId: owner.teamId });
      await refusal(good, /already received once/);
      await refusal(signed(body(), { secret: "another-signing-secret-000000000" }), /does not match/);
      await refusal({ ...signed(body()), body: `${body()}&x=1` }, /does not match/);
      await refusal(signed(body(), { ageS: 6 * 60 }), /more than 5 minutes/);
      await refusal({ ...signed(body()), signature: null }, /headers are missing/);
    });
  }

  it("never hands the signing secret back", async () => {
    const shown = JSON.stringify(await owner.caller.chat.get());
    expect(shown).not.toContain(SECRET);
    await expectTrpcError(viewer.caller.chat.get(), "FORBIDDEN", /chat:manage/);
  });
});

describe("the bot", () => {
  it("links a chat user once, deploys as them on a real host, posts progress and the result, and rolls back from the button", async () => {
    const name = uniqueName("chat");
    projects.push(name);
    const stack = await owner.caller.stack.create({ name, targets: [{ hostId: h1 }], revision: { message: "one", files: [{ path: "compose.yaml", content: compose("one") }] } });
    await owner.caller.stack.saveRevision({ stackId: stack.id, message: "two", files: [{ path: "compose.yaml", content: compose("two") }] });
    const { secret } = await owner.caller.webhook.create({ name: "events", url: hooks.url, events: ["deployment.started", "deployment.succeeded"] });

    expect((await slash("UOWNER", "help")).text).toMatch(/deploy <stack> \[revision\] \[host\|environment\]/);
    expect((await slash("UOWNER", `deploy ${name}`)).text).toMatch(/Link your chat account to Wharf first: open http:\/\/localhost:3000\/chat\/link\?token=/);
    await link(owner, "UOWNER");
    expect((await owner.caller.chat.get())?.links.map((l) => [l.chatUserId, l.user.email])).toEqual([["UOWNER", owner.email]]);

    expect((await slash("UOWNER", `deploy ${name} h1`)).text).toMatch(/Working on `deploy/);
    await reply(/1 job\(s\) queued/);
    await reply(/revision 2 running on h1/);
    const done = await reply(new RegExp(`${name} revision 2 deployed: h1: succeeded`));
    const [container] = containersOf(sandboxHost("h1"), name, false);
    expect(inspect(sandboxHost("h1"), container ?? "", '{{index .Config.Labels "revision"}}')).toBe("two");
    const button = JSON.stringify(done.blocks);
    expect(button).toContain('"action_id":"rollback"');
    expect(button).toContain(`"value":"${name} 1"`);

    // The audit trail names the linked user, through the bot.
    const request = await deps.db.auditEvent.findFirst({ where: { teamId: owner.teamId, action: "deployment.request" }, orderBy: { createdAt: "desc" } });
    expect(request).toMatchObject({ actorLabel: owner.email, source: "BOT" });

    // The deploy's events reached the team's webhook, signed.
    const events = (await hooks.waitFor(2)).map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: { stack: string } });
    expect(events.map((e) => e.type).sort()).toEqual(["deployment.started", "deployment.succeeded"]);
    expect(events[0]?.data.stack).toBe(name);

    expect((await press("UOWNER", "rollback", `${name} 1`)).text).toMatch(/Working on it/);
    await reply(new RegExp(`${name}: rollback of revision 1 running on h1`));
    await reply(new RegExp(`${name} revision 1 deployed: h1: succeeded`));
    const [rolled] = containersOf(sandboxHost("h1"), name, false);
    expect(inspect(sandboxHost("h1"), rolled ?? "", '{{index .Config.Labels "revision"}}')).toBe("one");

    const status = await (async () => {
      await slash("UOWNER", `status ${name}`);
      return reply(new RegExp(`\\*${name}\\* \\(latest revision 2\\): h1: revision 1`));
    })();
    expect(status.text).toMatch(/last rollback succeeded/);

    await slash("UOWNER", `logs ${name} app 5`);
    expect((await reply(new RegExp(`${name} on h1, last \\d+ line`))).text).toMatch(/hello-one/);
  });

  it("acts with the linked user's rights: a viewer's deploy is refused", async () => {
    await link(viewer, "UVIEWER");
    const name = (await owner.caller.stack.list({}))[0]?.name ?? "";
    await slash("UVIEWER", `deploy ${name}`);
    expect((await reply(/`deploy .*` failed:/)).text).toMatch(/Your role \(viewer\) does not allow stack:deploy/);
    const refused = await deps.db.auditEvent.findFirst({ where: { teamId: owner.teamId, action: "access.refused", actorLabel: viewer.email, targetId: "deployment.start" } });
    expect(refused).toMatchObject({ source: "BOT" });
  });
});
