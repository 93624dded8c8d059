import { readFileSync } from "node:fs";

import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { type PrivateSshd, startPrivateSshd } from "@wharf/testing/private-sshd";
import { loadSandbox, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { BASE, BASE_FILE, containersOf, followToEnd, removeProject, sandboxHost, SERVICE, SERVICE_FILE, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let runner: DeploymentRunner;
let sshd: PrivateSshd;
let owner: TestUser;
let clientKey: string;
let h1: SandboxHost;
let h2: SandboxHost;
const projects = new Set<string>();

beforeAll(async () => {
  deps = createTestDeps();
  h1 = sandboxHost("h1");
  h2 = sandboxHost("h2");
  clientKey = readFileSync(loadSandbox().clientKey, "utf8");
  // A rebuilt machine is simulated on an sshd of this suite's own, in front of h1's engine: h1's and h2's keys stay as other suites pinned them.
  sshd = await startPrivateSshd(h1);
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) for (const host of [h1, h2]) removeProject(host, project);
  await sshd.stop();
  await closeWharfDeps(deps);
});

beforeEach(async () => {
  await resetDatabase(deps);
  owner = await createTestUser(deps);
});

async function addHost(name: string, via: { address: string; port: number; fingerprint: string; username?: string }) {
  const created = await owner.caller.host.create({
    name,
    address: via.address,
    port: via.port,
    username: via.username ?? h1.users.docker,
    credential: { type: "pasted", privateKey: clientKey },
    hostKeyFingerprint: via.fingerprint,
  });
  return created.id;
}

const viaSshd = () => ({ address: sshd.address, port: sshd.port, fingerprint: sshd.fingerprint });
const viaSandbox = (host: SandboxHost) => ({ address: host.address, port: host.port, fingerprint: host.hostKeyFingerprint, username: host.users.docker });

async function createStack(purpose: string, hostId: string) {
  const name = uniqueName(purpose);
  projects.add(name);
  return owner.caller.stack.create({
    name,
    targets: [{ hostId }],
    revision: {
      message: "first",
      files: [
        { path: BASE_FILE, content: BASE },
        { path: SERVICE_FILE, content: SERVICE },
      ],
      env: [{ key: "GREETING", value: "hello" }],
      secrets: [{ key: "DB_PASSWORD", value: "s3cret-value" }],
      limits: {},
    },
  });
}

async function run(stackId: string, hostId: string, action: "DEPLOY" | "DOWN" = "DEPLOY") {
  const [job] = await owner.caller.deployment.start({ stackId, action, hostIds: [hostId], options: {} });
  if (!job) throw new Error("no job was queued");
  return followToEnd(owner, job.id);
}

async function row(hostId: string) {
  return deps.db.host.findUniqueOrThrow({ where: { id: hostId } });
}

async function auditActions(): Promise<string[]> {
  return (await owner.caller.audit.list({ limit: 50 })).items.map((event) => event.action);
}

describe("editing a host", () => {
  it("renames it; a taken or invalid name is refused and nothing changes", async () => {
    const id = await addHost("edit-me", viaSshd());
    await addHost("h2", viaSandbox(h2));

    await expectTrpcError(owner.caller.host.update({ hostId: id, name: "h2" }), "BAD_REQUEST", /already exists/);
    await expectTrpcError(owner.caller.host.update({ hostId: id, name: "Not A DNS Name!" }), "BAD_REQUEST", /lowercase letters/i);
    expect((await row(id)).name).toBe("edit-me");

    expect(await owner.caller.host.update({ hostId: id, name: "renamed" })).toMatchObject({ changes: ["name edit-me → renamed"] });
    expect((await owner.caller.host.byId({ hostId: id })).name).toBe("renamed");
    expect(await auditActions()).toContain("host.update");
  });

  it("moves it to another address and port once the new key is confirmed; stacks, jobs and the old key stay", async () => {
    const id = await addHost("mover", viaSshd());
    const stack = await createStack("move", id);
    expect((await run(stack.id, id)).status).toBe("SUCCEEDED");

    // Bad values, each with the specific error adding a host gives, and nothing saved.
    await expectTrpcError(owner.caller.host.update({ hostId: id, port: 1, hostKeyFingerprint: sshd.fingerprint }), "BAD_GATEWAY", /refused/i);
    await expectTrpcError(owner.caller.host.update({ hostId: id, port: 70_000 }), "BAD_REQUEST", /65535/);
    await expectTrpcError(owner.caller.host.update({ hostId: id, address: h1.address, port: h1.port }), "BAD_REQUEST", /confirm its fingerprint/);
    const wrongKey = await expectTrpcError(
      owner.caller.host.update({ hostId: id, address: h1.address, port: h1.port, hostKeyFingerprint: sshd.fingerprint }),
      "PRECONDITION_FAILED",
      /changed since you confirmed it/,
    );
    expect(wrongKey.cause).toMatchObject({ reason: "HOST_KEY_MISMATCH" });
    await expectTrpcError(owner.caller.host.update({ hostId: id, address: "user@evil" }), "BAD_REQUEST", /without user or port/);
    expect(await row(id)).toMatchObject({ address: sshd.address, port: sshd.port, hostKeyFingerprint: sshd.fingerprint });
    expect(await auditActions()).toContain("host.update_failed");

    await owner.caller.host.update({ hostId: id, address: h1.address, port: h1.port, hostKeyFingerprint: h1.hostKeyFingerprint });
    const moved = await owner.caller.host.byId({ hostId: id });
    expect(moved).toMatchObject({ id, address: h1.address, port: h1.port, hostKeyFingerprint: h1.hostKeyFingerprint, status: "ONLINE" });
    expect(moved.pastHostKeys).toEqual([expect.objectContaining({ fingerprint: sshd.fingerprint, address: sshd.address, port: sshd.port })]);

    // Same host id: the stack still targets it, its jobs are still listed, and it deploys there again.
    expect((await owner.caller.stack.byId({ stackId: stack.id })).targets.map((target) => target.host.id)).toEqual([id]);
    expect((await owner.caller.deployment.list({ hostId: id })).items).toHaveLength(1);
    expect((await run(stack.id, id)).status).toBe("SUCCEEDED");
  });

  it("changes the SSH user and key only once Wharf signed in with them", async () => {
    const id = await addHost("h1", viaSandbox(h1));
    const before = await row(id);

    const noDocker = await expectTrpcError(owner.caller.host.update({ hostId: id, username: h1.users.nodocker }), "PRECONDITION_FAILED", /cannot access the Docker socket/i);
    expect(noDocker.cause).toMatchObject({ reason: "DOCKER_PERMISSION_DENIED" });
    await expectTrpcError(owner.caller.host.update({ hostId: id, username: "root; touch /tmp/pwned" }), "BAD_REQUEST", /Unix user name/);
    const stranger = await owner.caller.credential.generate({ name: "not authorized" });
    const refused = await expectTrpcError(owner.caller.host.update({ hostId: id, credential: { type: "existing", credentialId: stranger.id } }), "PRECONDITION_FAILED", /rejected the SSH key/);
    expect(refused.cause).toMatchObject({ reason: "AUTH_FAILED" });
    await expectTrpcError(owner.caller.host.update({ hostId: id, credential: { type: "pasted", privateKey: "not a key" } }), "BAD_REQUEST", /.+/);
    expect(await row(id)).toMatchObject({ username: before.username, credentialId: before.credentialId, agentDir: before.agentDir });

    // A saved key that the host accepts, then the user's own key pasted again.
    const saved = await owner.caller.credential.import({ name: "sandbox client", privateKey: clientKey });
    await owner.caller.host.update({ hostId: id, credential: { type: "existing", credentialId: saved.id } });
    expect((await row(id)).credentialId).toBe(saved.id);
    await owner.caller.host.update({ hostId: id, credential: { type: "pasted", privateKey: clientKey } });
    const after = await owner.caller.host.byId({ hostId: id });
    expect(after.credential.id).not.toBe(saved.id);
    expect(after.credential.name).toBe("h1 key");
    expect(after.status).toBe("ONLINE");
  });

  it("is refused to viewers", async () => {
    const id = await addHost("h1", viaSandbox(h1));
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expectTrpcError(viewer.caller.host.update({ hostId: id, name: "mine" }), "FORBIDDEN", /viewer/i);
  });
});

describe("a rebuilt host (new SSH host key at the same address)", () => {
  it("is refused until someone accepts the new key after typing the host's name; the old key is kept, the stack deploys again", async () => {
    const id = await addHost("rebuilt", viaSshd());
    const stack = await createStack("rekey", id);
    expect((await run(stack.id, id)).status).toBe("SUCCEEDED");
    const oldKey = sshd.fingerprint;
    const newKey = await sshd.rekey();
    expect(newKey).not.toBe(oldKey);

    const test = await owner.caller.host.testConnection({ hostId: id });
    expect(test.ok).toBe(false);
    expect(test.steps[0]?.detail).toMatch(/host key .*has changed/);
    const flagged = await owner.caller.host.byId({ hostId: id });
    expect(flagged).toMatchObject({ status: "ERROR", hostKeyFingerprint: oldKey, seenKeyFingerprint: newKey, seenKeyAlgorithm: "ssh-ed25519" });
    const firstSeen = flagged.seenKeyAt;
    expect(firstSeen).toBeInstanceOf(Date);

    // Every action stays refused, and a later check keeps when the key was first seen.
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY", options: {} }), "PRECONDITION_FAILED", /host key .*has changed/);
    await expectTrpcError(owner.caller.host.agentLog({ hostId: id, lines: 10 }), "PRECONDITION_FAILED", /host key .*has changed/);
    await expectTrpcError(owner.caller.host.containers({ hostId: id }), "PRECONDITION_FAILED", /host key .*has changed/);
    await owner.caller.host.refresh({ hostId: id });
    expect((await owner.caller.host.byId({ hostId: id })).seenKeyAt).toEqual(firstSeen);

    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expectTrpcError(viewer.caller.host.acceptHostKey({ hostId: id, fingerprint: newKey, confirmName: "rebuilt" }), "FORBIDDEN", /viewer/i);
    await expectTrpcError(owner.caller.host.acceptHostKey({ hostId: id, fingerprint: newKey, confirmName: "rebuil" }), "BAD_REQUEST", /Type the host's name/);
    await expectTrpcError(owner.caller.host.acceptHostKey({ hostId: id, fingerprint: oldKey, confirmName: "rebuilt" }), "CONFLICT", /changed again/);
    expect((await row(id)).hostKeyFingerprint).toBe(oldKey);

    expect(await owner.caller.host.acceptHostKey({ hostId: id, fingerprint: newKey, confirmName: "rebuilt" })).toEqual({ fingerprint: newKey });
    const accepted = await owner.caller.host.byId({ hostId: id });
    expect(accepted).toMatchObject({ status: "ONLINE", hostKeyFingerprint: newKey, seenKeyFingerprint: null, seenKeyAt: null });
    expect(accepted.pastHostKeys).toEqual([expect.objectContaining({ fingerprint: oldKey, address: sshd.address, port: sshd.port })]);
    const audit = (await owner.caller.audit.list({ limit: 20 })).items.find((event) => event.action === "host.key.accept");
    expect(audit?.summary).toContain(`${newKey} of rebuilt (replaces ${oldKey}`);

    expect((await run(stack.id, id)).status).toBe("SUCCEEDED");
    expect(containersOf(h1, stack.name, false)).toHaveLength(2);
  });
});

describe("the agent's lifecycle", () => {
  it("shows the installed and shipped versions, upgrades on request and tails the agent's own log", async () => {
    const id = await addHost("h1", viaSandbox(h1));
    const shipped = deps.agents.bundle.version;
    expect((await owner.caller.host.byId({ hostId: id })).agent).toMatchObject({ installed: shipped, shipped, current: true });

    await deps.db.host.update({ where: { id }, data: { agentVersion: "0.0.1-old" } });
    expect((await owner.caller.host.byId({ hostId: id })).agent).toMatchObject({ installed: "0.0.1-old", shipped, current: false });

    const started = new Date();
    await owner.caller.host.reinstallAgent({ hostId: id });
    const upgraded = (await owner.caller.host.byId({ hostId: id })).agent;
    expect(upgraded).toMatchObject({ installed: shipped, current: true });
    expect(upgraded.upgradedAt?.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1_000);

    const log = await owner.caller.host.agentLog({ hostId: id, lines: 5 });
    expect(log.path).toMatch(/\/\.wharf\/agent\.log$/);
    expect(log.missing).toBe(false);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.length).toBeLessThanOrEqual(5);
    expect(log.lines.every((line) => /^\d{4}-\d\d-\d\dT\S+ (debug|info|warn|error) /.test(line))).toBe(true);
    await expectTrpcError(owner.caller.host.agentLog({ hostId: id, lines: 0 }), "BAD_REQUEST", /lines/);
  });
});

describe("removing a host", () => {
  it("names the stacks that target it, and leaves their containers running when asked to", async () => {
    const id = await addHost("h2", viaSandbox(h2));
    const deployed = await createStack("keep", id);
    const idle = await createStack("idle", id);
    expect((await run(deployed.id, id)).status).toBe("SUCCEEDED");

    const plan = await owner.caller.host.removalPlan({ hostId: id });
    expect(plan.stacks.map((stack) => [stack.name, stack.deployed]).sort()).toEqual(
      [
        [deployed.name, true],
        [idle.name, false],
      ].sort(),
    );

    const removed = await owner.caller.host.remove({ hostId: id, stopAgent: false, containers: "keep" });
    expect(removed).toMatchObject({ tookDown: [] });
    expect(removed.stacks.sort()).toEqual([deployed.name, idle.name].sort());
    expect(containersOf(h2, deployed.name, false)).toHaveLength(2);
    expect((await owner.caller.stack.byId({ stackId: deployed.id })).targets).toEqual([]);
    const audit = (await owner.caller.audit.list({ limit: 20 })).items.find((event) => event.action === "host.remove");
    expect(audit?.summary).toContain(`the containers of ${deployed.name} keep running there`);
  });

  it("takes the stacks down first when asked to", async () => {
    const id = await addHost("h2", viaSandbox(h2));
    const stack = await createStack("down", id);
    expect((await run(stack.id, id)).status).toBe("SUCCEEDED");
    expect(containersOf(h2, stack.name)).toHaveLength(2);

    const removed = await owner.caller.host.remove({ hostId: id, stopAgent: false, containers: "down" });
    expect(removed.tookDown).toEqual([stack.name]);
    expect(containersOf(h2, stack.name)).toEqual([]);
    expect(await deps.db.host.count()).toBe(0);
    const actions = await auditActions();
    expect(actions).toEqual(expect.arrayContaining(["host.remove", "stack.files.remove"]));
  });
});
