import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expireApprovalRequests } from "../services/approvals";
import { addHosts, containersOf, IMAGE, removeProject, sandboxHost, uniqueName, waitForJob } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// A protected environment: deploy, redeploy, rollback and down wait for another member's approval; approval runs what was requested.

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let admin: TestUser;
let deployer: TestUser;
let viewer: TestUser;
let h1 = "";
const projects: string[] = [];

function compose(tag: string): string {
  return `services:\n  app:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    labels:\n      revision: "${tag}"\n`;
}

async function protectedStack(purpose: string) {
  const name = uniqueName(purpose);
  projects.push(name);
  return owner.caller.stack.create({ name, targets: [{ hostId: h1 }], revision: { message: "one", files: [{ path: "compose.yaml", content: compose("one") }], env: [{ key: "MODE", value: "a" }] } });
}

async function auditActions(targetId: string) {
  return (await owner.caller.audit.list({ limit: 100 })).items.filter((e) => e.targetId === targetId).map((e) => e.action);
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  admin = await createTestUser(deps, { teamId: owner.teamId, role: "ADMIN" });
  deployer = await createTestUser(deps, { teamId: owner.teamId, role: "DEPLOYER" });
  viewer = await createTestUser(deps, { teamId: owner.teamId, role: "VIEWER" });
  ({ h1 = "" } = await addHosts(owner, ["h1"]));
  const host = await deps.db.host.findUniqueOrThrow({ where: { id: h1 }, select: { environmentId: true } });
  await owner.caller.approval.setProtection({ environmentId: host.environmentId, protected: true, requiredApprovals: 1, expiresAfterMinutes: 60 });
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(sandboxHost("h1"), project);
  await closeWharfDeps(deps);
});

describe("protected environments", () => {
  it("turns a deploy into a request; another member's approval runs the requested revision, not the latest", async () => {
    const stack = await protectedStack("approve");
    await expectTrpcError(deployer.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /h1 is in a protected environment: a deploy there needs another member's approval/);
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);

    const request = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    expect(request).toMatchObject({ status: "PENDING", revisionNumber: 1, requiredApprovals: 1, hostIds: [h1], requestedByLabel: deployer.email });
    expect(request.diff).toEqual([
      expect.objectContaining({
        hostName: "h1",
        running: null,
        requested: 1,
        files: [expect.objectContaining({ path: "compose.yaml", change: "added" })],
        env: [{ key: "MODE", change: "added" }],
        images: [{ service: "app", from: null, to: IMAGE }],
      }),
    ]);
    // Saved after the request: approval must still run revision 1.
    await owner.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: "compose.yaml", content: compose("two") }] });

    await expectTrpcError(deployer.caller.approval.decide({ requestId: request.id, approve: true }), "FORBIDDEN", /does not allow deployment:approve/);
    await expectTrpcError(viewer.caller.approval.decide({ requestId: request.id, approve: true }), "FORBIDDEN", /does not allow deployment:approve/);
    // An owner who asked cannot approve their own request either.
    const own = await owner.caller.approval.request({ stackId: stack.id, action: "DEPLOY", revisionNumber: 2 });
    await expectTrpcError(owner.caller.approval.decide({ requestId: own.id, approve: true }), "FORBIDDEN", /You asked for the request to deploy .*: another member must approve or reject it/);
    expect(await deps.db.approvalDecision.count({ where: { requestId: own.id } })).toBe(0);

    const approved = await owner.caller.approval.decide({ requestId: request.id, approve: true, comment: "looks right" });
    expect(approved).toMatchObject({ status: "APPROVED", decisions: [expect.objectContaining({ userLabel: owner.email, approve: true, comment: "looks right" })] });
    const [jobId] = approved.deploymentIds;
    const job = await waitForJob(deps, jobId ?? "", (j) => j.status === "SUCCEEDED" || j.status === "FAILED");
    expect(job.status).toBe("SUCCEEDED");
    const ran = await owner.caller.deployment.byId({ deploymentId: jobId ?? "" });
    expect(ran).toMatchObject({ action: "DEPLOY", requestedByLabel: deployer.email });
    expect(ran.revision.number).toBe(1);
    expect(containersOf(sandboxHost("h1"), stack.name, false)).toHaveLength(1);

    await expectTrpcError(admin.caller.approval.decide({ requestId: request.id, approve: true }), "CONFLICT", /is already approved: nothing to decide/);
    expect(await auditActions(request.id)).toEqual(["approval.approve", "approval.request"]);
    expect(await auditActions(jobId ?? "")).toContain("deployment.request");
  });

  it("refuses an approval whose diff is out of date: what runs changed since the request", async () => {
    const stack = await protectedStack("stale");
    const first = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    const second = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    const done = await owner.caller.approval.decide({ requestId: first.id, approve: true });
    await waitForJob(deps, done.deploymentIds[0] ?? "", (j) => j.status === "SUCCEEDED" || j.status === "FAILED");
    await expectTrpcError(owner.caller.approval.decide({ requestId: second.id, approve: true }), "CONFLICT", /What runs on h1 changed since this request \(revision 1 now, nothing then\)/);
    expect(await owner.caller.approval.byId({ requestId: second.id })).toMatchObject({ status: "PENDING", decisions: [] });
    expect((await owner.caller.approval.decide({ requestId: second.id, approve: false, comment: "stale" })).status).toBe("REJECTED");
  });

  it("records a rejection with its comment, and runs nothing", async () => {
    const stack = await protectedStack("reject");
    const request = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    const rejected = await admin.caller.approval.decide({ requestId: request.id, approve: false, comment: "not during the sale" });
    expect(rejected).toMatchObject({ status: "REJECTED", deploymentIds: [] });
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);
    const [entry] = (await owner.caller.audit.list({ limit: 100 })).items.filter((e) => e.targetId === request.id && e.action === "approval.reject");
    expect(entry?.summary).toMatch(/Rejected the request to deploy .*: not during the sale/);
  });

  it("waits for N approvals from different members", async () => {
    const stack = await protectedStack("two");
    const host = await deps.db.host.findUniqueOrThrow({ where: { id: h1 }, select: { environmentId: true } });
    await owner.caller.approval.setProtection({ environmentId: host.environmentId, protected: true, requiredApprovals: 2, expiresAfterMinutes: 60 });
    try {
      const request = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
      expect((await admin.caller.approval.decide({ requestId: request.id, approve: true })).status).toBe("PENDING");
      await expectTrpcError(admin.caller.approval.decide({ requestId: request.id, approve: true }), "CONFLICT", /You already answered/);
      const done = await owner.caller.approval.decide({ requestId: request.id, approve: true });
      expect(done.status).toBe("APPROVED");
      expect(done.deploymentIds).toHaveLength(1);
      await waitForJob(deps, done.deploymentIds[0] ?? "", (j) => j.status === "SUCCEEDED" || j.status === "FAILED");
    } finally {
      await owner.caller.approval.setProtection({ environmentId: host.environmentId, protected: true, requiredApprovals: 1, expiresAfterMinutes: 60 });
    }
  });

  it("expires requests: an approval after the deadline is refused, and the sweep records the rest", async () => {
    const stack = await protectedStack("expire");
    const late = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    const swept = await deployer.caller.approval.request({ stackId: stack.id, action: "DEPLOY" });
    await deps.db.approvalRequest.updateMany({ where: { id: { in: [late.id, swept.id] } }, data: { expiresAt: new Date(Date.now() - 1_000) } });

    await expectTrpcError(owner.caller.approval.decide({ requestId: late.id, approve: true }), "CONFLICT", /expired: ask for it again/);
    expect(await owner.caller.approval.byId({ requestId: late.id })).toMatchObject({ status: "EXPIRED", decisions: [] });
    await expectTrpcError(owner.caller.approval.decide({ requestId: late.id, approve: true }), "CONFLICT", /is expired: nothing to decide/);

    // The runner's sweep (every second here) or a direct call: either way once, with its audit entry.
    await expireApprovalRequests(deps);
    expect((await owner.caller.approval.byId({ requestId: swept.id })).status).toBe("EXPIRED");
    expect(await auditActions(swept.id)).toEqual(["approval.expire", "approval.request"]);
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);
  });

  it("leaves stop and restart alone, and refuses a request where nothing is protected", async () => {
    const stack = await protectedStack("unguarded");
    await expectTrpcError(deployer.caller.approval.request({ stackId: stack.id, action: "RESTART" }), "BAD_REQUEST", /No host of this restart is in a protected environment: run it directly/);
  });
});
