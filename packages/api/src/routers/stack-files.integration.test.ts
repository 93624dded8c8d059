import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { treeHash } from "@wharf/testing/files";
import type { SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BASE, BASE_FILE, followToEnd, hostProjectDir, ownerWithHosts, removeProject, SERVICE, SERVICE_FILE, SLOW, uniqueName, waitForJob } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// What Wharf leaves in the hosts' stack directories: checks leave them as
// they were, removal takes them away.

const SECRET = "files-Secret-41ab";
const DRAFT_SECRET = "draft-Secret-never-saved-77";

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostIds: Record<string, string>;
let h1: SandboxHost;
let h2: SandboxHost;
const projects = new Set<string>();

async function createStack(purpose: string, hosts: string[] = ["h1"], files = [{ path: BASE_FILE, content: BASE }, { path: SERVICE_FILE, content: SERVICE }]) {
  const name = uniqueName(purpose);
  projects.add(name);
  return owner.caller.stack.create({
    name,
    targets: hosts.map((host) => ({ hostId: hostIds[host] ?? "" })),
    revision: { message: "first", files, env: [{ key: "GREETING", value: "hello" }], secrets: [{ key: "DB_PASSWORD", value: SECRET }], limits: {} },
  });
}

async function deploy(stackId: string, action: "DEPLOY" | "DOWN" = "DEPLOY") {
  const jobs = await owner.caller.deployment.start({ stackId, action, options: {} });
  const results = [];
  for (const job of jobs) results.push(await followToEnd(owner, job.id));
  return results.map((result) => result.status);
}

/** Every file under `dir`, concatenated: to search for a value that must not be there. */
function allText(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

beforeAll(async () => {
  ({ deps, owner, hostIds, hosts: { h1, h2 } } = await ownerWithHosts(["h1", "h2"]));
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) for (const host of [h1, h2]) removeProject(host, project);
  await closeWharfDeps(deps);
});

describe("checks leave the host's files alone", () => {
  it("a deployer's preview and an editor's draft preview leave the project directory byte-identical", async () => {
    const stack = await createStack("look");
    expect(await deploy(stack.id)).toEqual(["SUCCEEDED"]);
    const dir = hostProjectDir(h1, stack.name);
    const before = treeHash(dir);
    expect(before).not.toBe("absent");

    // Seeing the merged config is stack:config, which deployers hold and viewers do not.
    const deployer = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    const preview = await deployer.caller.stack.preview({ stackId: stack.id, hostId: hostIds.h1 ?? "" });
    expect(preview.ok).toBe(true);
    const draft = await owner.caller.stack.previewDraft({
      stackId: stack.id,
      hostId: hostIds.h1 ?? "",
      files: [{ path: BASE_FILE, content: BASE.replace("GREETING: ${GREETING}", "GREETING: ${GREETING}\n      TOKEN: ${TOKEN}") }],
      env: [{ key: "GREETING", value: "draft" }],
      secrets: [{ key: "TOKEN", value: DRAFT_SECRET }],
    });
    expect(draft.ok).toBe(true);
    expect(treeHash(dir)).toBe(before);
    // Not in any project directory, the agent's state, a scratch copy left behind, or its log.
    const agentDir = path.dirname(path.dirname(dir));
    for (const where of ["stacks", "state", "scratch"]) expect(allText(path.join(agentDir, where))).not.toContain(DRAFT_SECRET);
    expect(readFileSync(path.join(agentDir, "agent.log"), "utf8")).not.toContain(DRAFT_SECRET);
  });

  it("a deploy started while previews run in a loop succeeds", async () => {
    const stack = await createStack("busy");
    let previewing = true;
    let previews = 0;
    const loop = async (): Promise<void> => {
      while (previewing) {
        await owner.caller.stack.preview({ stackId: stack.id, hostId: hostIds.h1 ?? "" });
        previews += 1;
      }
    };
    const loops = [loop(), loop()];
    try {
      while (previews < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await deploy(stack.id)).toEqual(["SUCCEEDED"]);
      expect(await deploy(stack.id, "DOWN")).toEqual(["SUCCEEDED"]);
    } finally {
      previewing = false;
      await Promise.all(loops);
    }
  });
});

describe("removal cleans up the hosts", () => {
  it("removing a stack removes its directory, .env and the agent's state from every target host", async () => {
    const stack = await createStack("gone", ["h1", "h2"]);
    expect(await deploy(stack.id)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    for (const host of [h1, h2]) {
      expect(readFileSync(path.join(hostProjectDir(host, stack.name), ".env"), "utf8")).toContain(SECRET);
      expect(existsSync(hostProjectDir(host, stack.name, "state"))).toBe(true);
    }
    expect(await deploy(stack.id, "DOWN")).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const removed = await owner.caller.stack.remove({ stackId: stack.id, confirmName: stack.name });
    expect(removed.cleanup).toEqual([
      { host: "h1", removed: true, error: null },
      { host: "h2", removed: true, error: null },
    ]);
    for (const host of [h1, h2]) {
      expect(existsSync(hostProjectDir(host, stack.name))).toBe(false);
      expect(existsSync(hostProjectDir(host, stack.name, "state"))).toBe(false);
    }
    const audit = await deps.db.auditEvent.findFirstOrThrow({ where: { action: "stack.files.remove", targetId: stack.id } });
    expect(audit.summary).toBe(`Removed the files of ${stack.name} from h1, h2`);
  });

  it("removing a stack whose containers keep running keeps its files where they run", async () => {
    const stack = await createStack("kept");
    expect(await deploy(stack.id)).toEqual(["SUCCEEDED"]);
    const removed = await owner.caller.stack.remove({ stackId: stack.id, confirmName: stack.name, keepContainers: true });
    expect(removed.cleanup).toEqual([]);
    expect(existsSync(path.join(hostProjectDir(h1, stack.name), ".env"))).toBe(true);
    removeProject(h1, stack.name);
  });

  it("removing a host from a stack's targets removes the stack's directory from that host only", async () => {
    const stack = await createStack("moved", ["h1", "h2"]);
    expect(await deploy(stack.id)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const jobs = await owner.caller.deployment.start({ stackId: stack.id, action: "DOWN", hostIds: [hostIds.h2 ?? ""], options: {} });
    for (const job of jobs) expect((await followToEnd(owner, job.id)).status).toBe("SUCCEEDED");
    const updated = await owner.caller.stack.update({ stackId: stack.id, targets: [{ hostId: hostIds.h1 ?? "" }] });
    expect(updated.cleanup).toEqual([{ host: "h2", removed: true, error: null }]);
    expect(existsSync(hostProjectDir(h2, stack.name))).toBe(false);
    expect(existsSync(hostProjectDir(h1, stack.name))).toBe(true);
    expect(await deploy(stack.id, "DOWN")).toEqual(["SUCCEEDED"]);
  });

  it("removing a host with a running or queued job is refused, naming the job", async () => {
    const stack = await createStack("hold", ["h2"], [{ path: "compose.yaml", content: SLOW }]);
    const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY", options: {} });
    if (!job) throw new Error("no job started");
    await expectTrpcError(
      owner.caller.host.remove({ hostId: hostIds.h2 ?? "", stopAgent: false }),
      "CONFLICT",
      new RegExp(`^A deploy of ${stack.name} on h2 is (queued|running): wait for it or cancel it before removing the host\\.$`),
    );
    expect(await deps.db.host.count({ where: { id: hostIds.h2 ?? "" } })).toBe(1);
    // Once the job is over, the same removal goes through.
    await waitForJob(deps, job.id, (row) => row.status === "RUNNING");
    await owner.caller.deployment.cancel({ deploymentId: job.id });
    expect((await followToEnd(owner, job.id)).status).toBe("CANCELLED");
    await owner.caller.host.remove({ hostId: hostIds.h2 ?? "", stopAgent: false });
    expect(await deps.db.host.count({ where: { id: hostIds.h2 ?? "" } })).toBe(0);
  });
});
