import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import type { SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { containersOf, followToEnd, IMAGE, ownerWithHosts, removeProject, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const name = uniqueName("presence");

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 0 });
  removeProject(h1, name);
  await closeWharfDeps(deps);
});

const CONTAINER_ACTIONS = ["STOP", "RESTART", "REDEPLOY", "DOWN"] as const;

async function run(stackId: string, action: "DEPLOY" | (typeof CONTAINER_ACTIONS)[number]) {
  const [job] = await owner.caller.deployment.start({ stackId, action, hostIds: [hostId] });
  return followToEnd(owner, job?.id ?? "");
}

async function hasContainers(stackId: string): Promise<boolean | undefined> {
  return (await owner.caller.stack.byId({ stackId })).targets[0]?.hasContainers;
}

describe("actions on a stack's containers", () => {
  it("are refused where the stack is not deployed (never, or after down), and run where it is", async () => {
    const stack = await owner.caller.stack.create({
      name,
      targets: [{ hostId }],
      revision: { files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    init: true\n    command: ["sleep", "1000000"]\n` }] },
    });
    expect(await hasContainers(stack.id)).toBe(false);
    for (const action of CONTAINER_ACTIONS) {
      await expectTrpcError(
        owner.caller.deployment.start({ stackId: stack.id, action }),
        "PRECONDITION_FAILED",
        new RegExp(`^Cannot ${action.toLowerCase()} ${name} on h1: it is not deployed there \\(never deployed, or taken down\\)`),
      );
    }
    // Refused before any job was queued: nothing claims it "succeeded".
    expect(await deps.db.deployment.count({ where: { stackId: stack.id } })).toBe(0);

    expect((await run(stack.id, "DEPLOY")).status).toBe("SUCCEEDED");
    expect(await hasContainers(stack.id)).toBe(true);
    expect((await run(stack.id, "RESTART")).status).toBe("SUCCEEDED");
    const stop = await run(stack.id, "STOP");
    expect(stop.status).toBe("SUCCEEDED");
    // Said before compose goes quiet for the grace period.
    expect(stop.lines.map((line) => line.text)).toContain(
      "Stopping waits up to 10 s for a container to exit after SIGTERM before Docker kills it (stop_grace_period: web 10 s).",
    );
    expect(await hasContainers(stack.id)).toBe(true);
    expect((await run(stack.id, "DOWN")).status).toBe("SUCCEEDED");
    expect(containersOf(h1, name)).toEqual([]);

    expect(await hasContainers(stack.id)).toBe(false);
    const error = await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "REDEPLOY" }), "PRECONDITION_FAILED", /Deploy it there first\.$/);
    expect(error.cause).toMatchObject({ reason: "NOT_DEPLOYED" });
  });
});
