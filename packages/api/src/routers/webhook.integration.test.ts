import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startQueueWorkers } from "../queue-workers";
import { Queue } from "../services/queue";
import { DISABLE_AFTER_MS, signedHeaders } from "../services/webhooks";
import { type Receiver, startReceiver } from "../test-support/receiver";
import { expectTrpcError } from "../test-support/trpc";

// Outgoing webhooks through the real queue (pg-boss on the test database) to local receivers.

let deps: WharfDeps;
let owner: TestUser;
let deployer: TestUser;
const receivers: Receiver[] = [];

async function receiver(status?: (index: number) => number): Promise<Receiver> {
  const started = await startReceiver(status);
  receivers.push(started);
  return started;
}

async function waitForDelivery(targetId: string, done: (d: { status: string; attempts: number }) => boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [delivery] = await owner.caller.webhook.deliveries({ targetId });
    if (delivery && done(delivery)) return delivery;
    if (Date.now() > until) throw new Error(`Delivery of ${targetId} not done: ${JSON.stringify(delivery)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  deps = createTestDeps();
  // Retries a second apart (doubling), so a test sees three attempts in seconds.
  deps.queue = new Queue(deps.config.databaseUrl, deps.log, { retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 });
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  deployer = await createTestUser(deps, { teamId: owner.teamId, role: "DEPLOYER" });
  await startQueueWorkers(deps);
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await closeWharfDeps(deps);
});

describe("outgoing webhooks", () => {
  it("signs the test event per Standard Webhooks: the library's verifier accepts it, and refuses a wrong secret, a stale timestamp and a changed body", async () => {
    const local = await receiver();
    await owner.caller.webhook.setAllowPrivate({ allow: true });
    const { target, secret } = await owner.caller.webhook.create({ name: "ci", url: `${local.url}/hook`, events: ["deployment.succeeded"] });
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await owner.caller.webhook.list())).not.toContain(secret);

    await owner.caller.webhook.sendTest({ targetId: target.id });
    const [request] = await local.waitFor(1);
    const headers = request?.headers as Record<string, string>;
    const body = request?.body ?? "";
    const verified = new Webhook(secret).verify(body, headers) as { type: string; data: { message: string } };
    expect(verified.type).toBe("wharf.test");
    expect(verified.data.message).toContain(owner.email);
    expect(() => new Webhook(`whsec_${Buffer.from("another secret of 32 bytes......").toString("base64")}`).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(/No matching signature/);
    const stale = signedHeaders(secret, headers["webhook-id"] ?? "", body, new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(secret).verify(body, stale)).toThrow(/too old/);

    const delivery = await waitForDelivery(target.id, (d) => d.status === "SUCCEEDED");
    expect(delivery).toMatchObject({ id: headers["webhook-id"], statusCode: 200, attempts: 1, responseBody: "answer 0" });
  });

  it("retries with backoff until the receiver answers: two 500s, then 200, all with one webhook-id", async () => {
    const flaky = await receiver((index) => (index < 2 ? 500 : 200));
    const { target, secret } = await owner.caller.webhook.create({ name: "flaky", url: flaky.url, events: ["host.offline"] });
    await owner.caller.webhook.sendTest({ targetId: target.id });
    const requests = await flaky.waitFor(3);
    const ids = new Set(requests.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    for (const r of requests) expect(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    const delivery = await waitForDelivery(target.id, (d) => d.status === "SUCCEEDED");
    expect(delivery).toMatchObject({ attempts: 3, statusCode: 200 });
    // A success ends the run of failures.
    expect((await owner.caller.webhook.list()).targets.find((t) => t.id === target.id)?.failingSince).toBeNull();
  });

  it("refuses private and loopback targets unless the team allows them, checking the resolved address", async () => {
    const local = await receiver();
    await owner.caller.webhook.setAllowPrivate({ allow: false });
    // "localhost" is a name: only its resolved address (127.0.0.1) shows it is loopback.
    for (const url of [local.url, `http://localhost:${local.port}/x`]) {
      const { target } = await owner.caller.webhook.create({ name: "private", url, events: ["host.online"] });
      await owner.caller.webhook.sendTest({ targetId: target.id });
      const delivery = await waitForDelivery(target.id, (d) => d.status !== "PENDING");
      expect(delivery).toMatchObject({ status: "REFUSED", attempts: 1, statusCode: null });
      expect(delivery.error).toMatch(/127\.0\.0\.1.*private or loopback/);
    }
    expect(local.received).toHaveLength(0);
    await owner.caller.webhook.setAllowPrivate({ allow: true });
  });

  it("turns off a target that has failed for a day, says why, and records it", async () => {
    const down = await receiver(() => 503);
    const { target } = await owner.caller.webhook.create({ name: "down", url: down.url, events: ["host.online"] });
    await deps.db.webhookTarget.update({ where: { id: target.id }, data: { failingSince: new Date(Date.now() - DISABLE_AFTER_MS - 60_000) } });
    await owner.caller.webhook.sendTest({ targetId: target.id });
    await down.waitFor(1);
    const until = Date.now() + 30_000;
    let listed = (await owner.caller.webhook.list()).targets.find((t) => t.id === target.id);
    while (listed?.enabled && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      listed = (await owner.caller.webhook.list()).targets.find((t) => t.id === target.id);
    }
    expect(listed?.enabled).toBe(false);
    expect(listed?.disabledReason).toMatch(/every delivery failed since/);
    const audit = (await owner.caller.audit.list({ limit: 50 })).items.find((e) => e.action === "webhook.disabled" && e.targetId === target.id);
    expect(audit?.summary).toMatch(/turned off after failing for a day/);
    // Enabling it again starts afresh.
    expect(await owner.caller.webhook.update({ targetId: target.id, enabled: true })).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it("is managed by owners and admins only", async () => {
    await expectTrpcError(deployer.caller.webhook.list(), "FORBIDDEN", /does not allow webhook:manage/);
    await expectTrpcError(
      owner.caller.webhook.create({ name: "x", url: "ftp://example.com/", events: ["host.online"] }),
      "BAD_REQUEST",
      /Only http and https/,
    );
  });
});
