import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { callDeployHook } from "../deploy-hook-call";
import { WharfError } from "../errors";
import { addHosts, containersOf, IMAGE, inspect, removeProject, sandboxHost, uniqueName, waitForJob } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// A pipeline's deploy hook: its own secret, one call per 10 s, the creator's rights, a real deploy on h1.

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let admin: TestUser;
let deployer: TestUser;
let h1 = "";
const projects: string[] = [];

const compose = `services:\n  app:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    labels:\n      tag: "\${IMAGE_TAG:-none}"\n`;

async function refusedWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WharfError);
  expect((error as WharfError).code).toBe(code);
  expect((error as WharfError).message).toMatch(message);
}

/** Lets the hook be called again at once (the 10 s pace is checked against this column). */
async function forgetLastCall(stackId: string): Promise<void> {
  await deps.db.deployHook.update({ where: { stackId }, data: { lastUsedAt: null } });
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  admin = await createTestUser(deps, { teamId: owner.teamId, role: "ADMIN" });
  deployer = await createTestUser(deps, { teamId: owner.teamId, role: "DEPLOYER" });
  ({ h1 = "" } = await addHosts(owner, ["h1"]));
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(sandboxHost("h1"), project);
  await closeWharfDeps(deps);
});

describe("deploy hooks", () => {
  it("deploys with its secret (setting the image tag), refuses a wrong or old secret and a call too soon, and is audited", async () => {
    const name = uniqueName("hook");
    projects.push(name);
    const stack = await owner.caller.stack.create({ name, targets: [{ hostId: h1 }], revision: { message: "one", files: [{ path: "compose.yaml", content: compose }] } });
    await expectTrpcError(deployer.caller.deployHook.rotate({ stackId: stack.id }), "FORBIDDEN", /deployhook:manage/);
    const { hook, secret } = await admin.caller.deployHook.rotate({ stackId: stack.id });
    expect(hook.url).toBe(`http://localhost:3000/api/hooks/deploy/${hook.id}`);
    expect(secret).toMatch(/^whk_/);
    expect(JSON.stringify(await deployer.caller.deployHook.get({ stackId: stack.id }))).not.toContain(secret);

    await refusedWith(callDeployHook(deps, hook.id, `${secret}x`, "", "192.0.2.1"), "UNAUTHORIZED", /wrong secret/);
    await refusedWith(callDeployHook(deps, hook.id, null, "", "192.0.2.1"), "UNAUTHORIZED", /wrong secret/);
    await refusedWith(callDeployHook(deps, "no-such-hook", secret, "", "192.0.2.1"), "UNAUTHORIZED", /wrong secret/);
    await refusedWith(callDeployHook(deps, hook.id, secret, '{"tag":"1.0; rm -rf /"}', "192.0.2.1"), "BAD_REQUEST", /tag: A tag is letters/);
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);

    const result = await callDeployHook(deps, hook.id, secret, '{"tag":"1.4.2"}', "192.0.2.1");
    expect(result).toMatchObject({ stack: name, deployments: [{ host: "h1", status: "QUEUED" }] });
    const job = await waitForJob(deps, result.deployments[0]?.id ?? "", (j) => j.status === "SUCCEEDED" || j.status === "FAILED");
    expect(job.status).toBe("SUCCEEDED");
    const [container] = containersOf(sandboxHost("h1"), name, false);
    expect(inspect(sandboxHost("h1"), container ?? "", '{{index .Config.Labels "tag"}}')).toBe("1.4.2");
    const saved = await deps.db.stackRevision.findFirst({ where: { stackId: stack.id }, orderBy: { number: "desc" }, select: { number: true, message: true, env: true } });
    expect(saved).toMatchObject({ number: 2, message: "IMAGE_TAG=1.4.2 (deploy hook)", env: [{ key: "IMAGE_TAG", value: "1.4.2" }] });

    await refusedWith(callDeployHook(deps, hook.id, secret, "", "192.0.2.1"), "TOO_MANY_REQUESTS", /less than 10 s ago/);

    const audit = await deps.db.auditEvent.findFirst({ where: { teamId: owner.teamId, action: "deploy_hook.call" } });
    expect(audit).toMatchObject({ actorLabel: admin.email, actorName: `deploy hook of ${name}`, source: "API_TOKEN", address: "192.0.2.1" });
    expect(audit?.summary).toMatch(/IMAGE_TAG=1\.4\.2: 1 job\(s\) queued/);
    expect(await deps.db.auditEvent.findFirst({ where: { teamId: owner.teamId, action: "deployment.request" }, orderBy: { createdAt: "desc" } })).toMatchObject({ actorLabel: admin.email });

    // Rotating replaces the secret at once; revoking ends the hook.
    await forgetLastCall(stack.id);
    const rotated = await admin.caller.deployHook.rotate({ stackId: stack.id });
    expect(rotated.hook.id).toBe(hook.id);
    await refusedWith(callDeployHook(deps, hook.id, secret, "", null), "UNAUTHORIZED", /wrong secret/);
    await admin.caller.deployHook.revoke({ stackId: stack.id });
    await refusedWith(callDeployHook(deps, hook.id, rotated.secret, "", null), "UNAUTHORIZED", /wrong secret/);
  });

  it("acts within its creator's current rights: refused once the creator may no longer deploy", async () => {
    const name = uniqueName("hookrights");
    const stack = await owner.caller.stack.create({ name, targets: [{ hostId: h1 }], revision: { message: "one", files: [{ path: "compose.yaml", content: compose }] } });
    const { hook, secret } = await admin.caller.deployHook.rotate({ stackId: stack.id });
    await deps.db.membership.update({ where: { userId_teamId: { userId: admin.userId, teamId: owner.teamId } }, data: { role: "VIEWER" } });
    deps.access.forgetAll();
    await refusedWith(callDeployHook(deps, hook.id, secret, "", "192.0.2.1"), "FORBIDDEN", /does not allow stack:deploy/);
    const refused = await deps.db.auditEvent.findFirst({ where: { teamId: owner.teamId, action: "access.refused", targetId: hook.id } });
    expect(refused?.summary).toMatch(/Deploy hook of .* refused/);
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);
  });
});
