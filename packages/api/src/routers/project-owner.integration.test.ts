import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { OWNER_LABELS } from "@wharf/agent-protocol";
import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { installation } from "../services/project-owner";
import { addHosts, containersOf, followToEnd, IMAGE, inspect, removeProject, sandboxHost, uniqueName, untracked } from "../test-support/stacks";

let deps: WharfDeps;
let runner: DeploymentRunner;
let teamA: TestUser;
let teamB: TestUser;
let hostA: string;
let hostB: string;
let h1: SandboxHost;
const projects = new Set<string>();

const FILES = [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    init: true\n    command: ["sh", "-c", "echo web up; exec sleep 1000000"]\n  _worker:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "1000000"]\n` }];

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  teamA = await createTestUser(deps);
  teamB = await createTestUser(deps);
  hostA = (await addHosts(teamA, ["h1"])).h1 ?? "";
  hostB = (await addHosts(teamB, ["h1"])).h1 ?? "";
  h1 = sandboxHost("h1");
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(h1, project);
  await closeWharfDeps(deps);
});

async function createStack(user: TestUser, hostId: string, name: string) {
  projects.add(name);
  return user.caller.stack.create({ name, targets: [{ hostId }], revision: { files: FILES } });
}

async function run(user: TestUser, stackId: string, action: "DEPLOY" | "DOWN" | "REDEPLOY") {
  const [job] = await user.caller.deployment.start({ stackId, action, options: {} });
  return followToEnd(user, job?.id ?? "");
}

async function logLines(user: TestUser, stackId: string, hostId: string): Promise<string[]> {
  const lines: string[] = [];
  const stream = await user.caller.stack.logs({ stackId, hostId, tail: 100, follow: false });
  for await (const batch of untracked<{ container: string; lines: { line: string }[] }>(stream)) lines.push(...batch.lines.map((l) => `${batch.container}: ${l.line}`));
  return lines;
}

async function listedOn(user: TestUser, hostId: string, stackId: string) {
  await user.caller.host.refresh({ hostId });
  return (await user.caller.host.list()).find((h) => h.id === hostId)?.stacks?.find((s) => s.id === stackId);
}

describe("who owns a compose project", () => {
  it("keeps two teams with a stack of the same name on one host apart", async () => {
    const name = uniqueName("owner");
    const stackA = await createStack(teamA, hostA, name);
    const stackB = await createStack(teamB, hostB, name);

    expect((await run(teamA, stackA.id, "DEPLOY")).status).toBe("SUCCEEDED");
    const { id } = await installation(deps);
    // Every container carries the installation's and the stack's labels (a service starting with _ included).
    expect(containersOf(h1, name)).toEqual([`${name}-_worker-1`, `${name}-web-1`]);
    for (const container of containersOf(h1, name)) {
      expect(inspect(h1, container, `{{index .Config.Labels "${OWNER_LABELS.installation}"}} {{index .Config.Labels "${OWNER_LABELS.stack}"}}`)).toBe(`${id} ${stackA.id}`);
    }
    const idsA = containersOf(h1, name).map((container) => inspect(h1, container, "{{.Id}}"));

    // The second team's deploy is refused, naming the project and its owner; nothing of the first team's changed.
    const refused = await run(teamB, stackB.id, "DEPLOY");
    expect(refused.status).toBe("FAILED");
    expect(refused.job.error).toContain(`The compose project "${name}" on this host already has containers`);
    expect(refused.job.error).toContain(`belong to stack ${stackA.id} of Wharf installation ${id}`);
    expect(containersOf(h1, name).map((container) => inspect(h1, container, "{{.Id}} {{.State.Status}}"))).toEqual(idsA.map((i) => `${i} running`));

    // Status, logs and counts of the second team show none of the first team's containers.
    expect((await teamB.caller.stack.status({ stackId: stackB.id, hostId: hostB })).services).toEqual([]);
    expect(await logLines(teamB, stackB.id, hostB)).toEqual([]);
    expect(await listedOn(teamB, hostB, stackB.id)).not.toMatchObject({ containers: { total: expect.any(Number) as number } });
    expect((await teamA.caller.stack.status({ stackId: stackA.id, hostId: hostA })).services.map((s) => s.service)).toEqual(["_worker", "web"]);
    expect(await logLines(teamA, stackA.id, hostA)).toContain(`${name}-web-1: web up`);
    expect(await listedOn(teamA, hostA, stackA.id)).toMatchObject({ state: "RUNNING", containers: { running: 2, total: 2 } });

    // The second team's down touches nothing.
    const down = await run(teamB, stackB.id, "DOWN");
    expect(down.status).toBe("FAILED");
    expect(containersOf(h1, name, false)).toHaveLength(2);

    // A container started by hand in the project is not adopted: not shown, and the owner's next up is refused too.
    const stray = dockerCli(h1, ["run", "-d", "--name", `${name}-stray`, "--label", `com.docker.compose.project=${name}`, "--label", "com.docker.compose.service=web", IMAGE, "sleep", "1000000"]).trim();
    const status = await teamA.caller.stack.status({ stackId: stackA.id, hostId: hostA });
    expect(status.services.flatMap((s) => s.containers.map((c) => c.name)).sort()).toEqual([`${name}-_worker-1`, `${name}-web-1`]);
    const blocked = await run(teamA, stackA.id, "REDEPLOY");
    expect(blocked.status).toBe("FAILED");
    expect(blocked.job.error).toMatch(new RegExp(`\\(${name}-stray\\) that belong to no Wharf stack`));
    dockerCli(h1, ["rm", "-f", stray]);

    expect((await run(teamA, stackA.id, "DOWN")).status).toBe("SUCCEEDED");
    expect(containersOf(h1, name)).toEqual([]);
    // Once the project is gone, the name is free for the other team.
    expect((await run(teamB, stackB.id, "DEPLOY")).status).toBe("SUCCEEDED");
    expect(inspect(h1, `${name}-web-1`, `{{index .Config.Labels "${OWNER_LABELS.stack}"}}`)).toBe(stackB.id);
  });

  it("adopts the unlabelled containers of a deploy from before the labels, and labels them on the next up", async () => {
    const name = uniqueName("adopt");
    const stack = await createStack(teamA, hostA, name);
    // As an earlier Wharf left it: compose's own labels only, and a successful deploy recorded before the labels existed.
    const dir = mkdtempSync(path.join(os.tmpdir(), "wharf-adopt-"));
    writeFileSync(path.join(dir, "compose.yaml"), FILES[0]?.content ?? "");
    dockerCli(h1, ["compose", "--project-name", name, "--project-directory", dir, "-f", path.join(dir, "compose.yaml"), "up", "-d"]);
    rmSync(dir, { recursive: true });
    const { labelledSince } = await installation(deps);
    const before = new Date(labelledSince.getTime() - 60_000);
    const revision = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId: stack.id }, select: { id: true } });
    await deps.db.deployment.create({
      data: { stackId: stack.id, hostId: hostA, revisionId: revision.id, action: "DEPLOY", status: "SUCCEEDED", requestedByLabel: "test", createdAt: before, startedAt: before, finishedAt: before },
    });
    expect((await teamA.caller.stack.status({ stackId: stack.id, hostId: hostA })).services.map((s) => s.service)).toEqual(["_worker", "web"]);
    expect(await listedOn(teamA, hostA, stack.id)).toMatchObject({ containers: { running: 2, total: 2 } });

    expect((await run(teamA, stack.id, "DEPLOY")).status).toBe("SUCCEEDED");
    expect(containersOf(h1, name).map((container) => inspect(h1, container, `{{index .Config.Labels "${OWNER_LABELS.stack}"}}`))).toEqual([stack.id, stack.id]);
  });
});
