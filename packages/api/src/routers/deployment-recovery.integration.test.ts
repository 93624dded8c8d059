import { readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { processesMentioning } from "@wharf/testing/processes";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BASE_FILE, followToEnd, ownerWithHosts, removeProject, SLOW, uniqueName, waitForJob } from "../test-support/stacks";

// An agent that dies mid-deploy (kill -9) must not take compose with it: the
// job re-attaches to the run through the restarted agent and ends with
// compose's own result; when it cannot, it says what state the stack is in.

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostIds: Record<string, string>;
let h1: SandboxHost;
const projects = new Set<string>();

beforeAll(async () => {
  ({ deps, owner, hostIds, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(h1, project);
  await closeWharfDeps(deps);
});

/** The agent's data directory on h1: the sandbox's hosts share this machine's filesystem. */
function agentDir(): string {
  return path.join("/home", h1.users.docker, ".wharf");
}

function agentPid(): number | null {
  try {
    return Number(readFileSync(path.join(agentDir(), "agent.sock.pid"), "utf8").trim());
  } catch {
    return null;
  }
}

function killAgent(): number {
  const pid = agentPid();
  if (pid === null) throw new Error("no agent runs on h1");
  process.kill(pid, "SIGKILL");
  return pid;
}

async function waitUntil(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts a deploy of the slow two-service stack (app waits for gate to be healthy) and waits for compose's first line. */
async function startSlowDeploy(purpose: string) {
  const name = uniqueName(purpose);
  projects.add(name);
  const stack = await owner.caller.stack.create({
    name,
    targets: [{ hostId: hostIds.h1 ?? "" }],
    revision: { message: "first", files: [{ path: BASE_FILE, content: SLOW }], env: [], secrets: [], limits: {} },
  });
  const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
  const id = job?.id ?? "";
  await waitUntil("compose's first line", async () => (await deps.db.deploymentLog.count({ where: { deploymentId: id, stream: { not: "wharf" } } })) > 0);
  return { name, stack, id, runDir: path.join(agentDir(), "state", name, "runs", `${id}-0`) };
}

function states(name: string): string[] {
  return dockerCli(h1, ["ps", "-a", "--filter", `label=com.docker.compose.project=${name}`, "--format", "{{.Label \"com.docker.compose.service\"}} {{.State}}"])
    .split("\n")
    .filter(Boolean)
    .sort();
}

describe("an agent killed mid-deploy", () => {
  it("re-attaches through the restarted agent: the job succeeds with every line of compose once and in order, both services run", async () => {
    const { name, id, runDir } = await startSlowDeploy("agentkill");
    const killedAt = Date.now();
    const killed = killAgent();
    // The job restarts the agent to re-attach.
    await waitUntil("a new agent", () => agentPid() !== killed);
    const restartedAt = Date.now();
    const end = await waitForJob(deps, id, (job) => job.status !== "RUNNING", 90_000);
    expect(end).toMatchObject({ status: "SUCCEEDED", error: null });
    // Figures for the fault suite's bench, not assertions.
    const { finishedAt } = await deps.db.deployment.findUniqueOrThrow({ where: { id }, select: { finishedAt: true } });
    const composeExitedAt = statSync(path.join(runDir, "exit.json")).mtimeMs;
    console.log(
      `agent kill -9 mid-deploy: agent back ${restartedAt - killedAt} ms after the kill; job ended ${(finishedAt?.getTime() ?? 0) - Math.round(composeExitedAt)} ms after compose exited (${(finishedAt?.getTime() ?? 0) - killedAt} ms after the kill)`,
    );

    const { lines } = await followToEnd(owner, id);
    const recorded = lines.filter((line) => line.stream !== "wharf").map((line) => line.text);
    const written = readFileSync(path.join(runDir, "output.ndjson"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((record) => (JSON.parse(record) as { line: string }).line);
    expect(recorded).toEqual(written);
    expect(lines.some((line) => line.stream === "wharf" && /Lost the connection to the agent on h1/.test(line.text))).toBe(true);
    expect(states(name)).toEqual(["app running", "gate running"]);
  });

  it("when the run can no longer be followed, fails saying the stack may be partly changed, each service's state, and to redeploy", async () => {
    const { name, stack, id, runDir } = await startSlowDeploy("agentlost");
    killAgent();
    rmSync(runDir, { recursive: true, force: true });
    const end = await waitForJob(deps, id, (job) => job.status !== "RUNNING", 90_000);
    expect(end).toMatchObject({ status: "FAILED", reason: "COMPOSE_LOST" });
    expect(end.error).toMatch(/^compose up on h1 could not be followed to its end \(this host has no record of compose run .* \(its files were removed\)\)\. The stack may be partly changed: /);
    expect(end.error).toMatch(/gate (created|running)/);
    expect(end.error).toMatch(/Redeploy to bring every service to this revision\.$/);

    // Compose went on without anyone following it; once it is done, a redeploy works.
    await waitUntil("compose to finish", () => processesMentioning(name).length === 0, 60_000);
    const [redeploy] = await owner.caller.deployment.start({ stackId: stack.id, action: "REDEPLOY" });
    expect((await followToEnd(owner, redeploy?.id ?? "")).job.status).toBe("SUCCEEDED");
    expect(states(name)).toEqual(["app running", "gate running"]);
  });
});

describe("cancelling a running deploy", () => {
  it("stops compose on the host through the agent: no compose process is left", async () => {
    const { name, id, runDir } = await startSlowDeploy("cancelrun");
    expect(processesMentioning(name).length).toBeGreaterThan(0);
    await owner.caller.deployment.cancel({ deploymentId: id });
    const end = await waitForJob(deps, id, (job) => job.status !== "RUNNING");
    expect(end).toMatchObject({ status: "CANCELLED", reason: "CANCELLED" });
    await waitUntil("compose to stop", () => processesMentioning(name).length === 0, 15_000);
    expect(processesMentioning(name)).toEqual([]);
    const exit = JSON.parse(readFileSync(path.join(runDir, "exit.json"), "utf8")) as { exitCode: number | null };
    expect(exit.exitCode).not.toBe(0);
  });
});
