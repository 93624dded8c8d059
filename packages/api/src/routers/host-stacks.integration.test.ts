import { OWNER_LABELS } from "@wharf/agent-protocol";
import type { WharfDeps } from "@wharf/api";
import type { DeploymentAction, DeploymentStatus } from "@wharf/db";
import { closeWharfDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { installation } from "../services/project-owner";
import { IMAGE, ownerWithHosts, removeProject, uniqueName } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const name = uniqueName("host-list");

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
});

afterAll(async () => {
  removeProject(h1, name);
  await closeWharfDeps(deps);
});

async function listedOn(user: TestUser, stackId: string) {
  const host = (await user.caller.host.list()).find((h) => h.id === hostId);
  return host?.stacks?.find((s) => s.id === stackId);
}

/** A job as the runner records it (no runner here: a queued row stays queued). */
async function recordJob(stackId: string, action: DeploymentAction, status: DeploymentStatus) {
  const revision = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId }, select: { id: true } });
  const finished = status === "SUCCEEDED" || status === "FAILED";
  return deps.db.deployment.create({
    data: { stackId, hostId, revisionId: revision.id, action, status, requestedByLabel: "test", ...(finished ? { startedAt: new Date(), finishedAt: new Date() } : {}) },
    select: { id: true },
  });
}

/** A container of the compose project `name`, labelled as compose and Wharf would label it. */
async function runContainer(stackId: string, service: string): Promise<string> {
  const labels = [`com.docker.compose.project=${name}`, `com.docker.compose.service=${service}`, `${OWNER_LABELS.installation}=${(await installation(deps)).id}`, `${OWNER_LABELS.stack}=${stackId}`];
  return dockerCli(h1, ["run", "-d", "--name", `${name}-${service}-1`, ...labels.flatMap((label) => ["--label", label]), IMAGE, "sleep", "1000000"]).trim();
}

describe("the host list's stacks", () => {
  it("shows each stack on its hosts with the state its jobs and the monitor's container count give", async () => {
    const stack = await owner.caller.stack.create({
      name,
      targets: [{ hostId }],
      revision: { files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n  worker:\n    image: ${IMAGE}\n` }] },
    });
    expect(await listedOn(owner, stack.id)).toMatchObject({ name, state: "NOT_DEPLOYED" });

    const deploy = await recordJob(stack.id, "DEPLOY", "QUEUED");
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "DEPLOYING", action: "DEPLOY" });
    await deps.db.deployment.update({ where: { id: deploy.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
    // Recorded, not yet counted by the monitor: the job says it runs.
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "RUNNING", containers: null });

    // A monitor tick counts the project's containers: one of two stopped makes it partially running.
    await runContainer(stack.id, "web");
    const worker = await runContainer(stack.id, "worker");
    await owner.caller.host.refresh({ hostId });
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "RUNNING", containers: { running: 2, total: 2 } });
    dockerCli(h1, ["stop", "-t", "0", worker]);
    await owner.caller.host.refresh({ hostId });
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "PARTIAL", containers: { running: 1, total: 2 } });
    // The stacks list says the same of its hosts.
    const listed = (await owner.caller.stack.list({})).find((s) => s.id === stack.id);
    expect(listed?.targets[0]?.state).toMatchObject({ state: "PARTIAL", containers: { running: 1, total: 2 } });

    // A failed redeploy is what the list shows next, whatever runs; a later stop, what that left.
    await recordJob(stack.id, "REDEPLOY", "FAILED");
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "FAILED", action: "REDEPLOY" });
    await recordJob(stack.id, "STOP", "SUCCEEDED");
    expect(await listedOn(owner, stack.id)).toMatchObject({ state: "STOPPED", containers: null });

    // Viewers read stacks too; other teams see neither the host nor its stacks.
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    expect(await listedOn(viewer, stack.id)).toMatchObject({ name, state: "STOPPED" });
    const stranger = await createTestUser(deps);
    expect(await stranger.caller.host.list()).toEqual([]);
  });
});
