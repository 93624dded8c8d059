import { execFileSync } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { TRPCError } from "@trpc/server";
import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { REPO_ROOT } from "@wharf/testing/env";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { timeUntil } from "@wharf/testing/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { spawnRunnerProcess, waitForLine } from "../test-support/runner-process-spawn";
import { addHosts, BASE, BASE_FILE, followToEnd, IMAGE, removeProject, sandboxHost, SLOW, uniqueName, untracked, waitForJob } from "../test-support/stacks";

// The fault suite: each scenario breaks one piece of a real host or of the
// control plane, then checks what the user sees, that no job is left QUEUED
// or RUNNING, and that nothing recorded is lost.

const SANDBOX = path.join(REPO_ROOT, "docker/sandbox/sandbox.sh");
const ACTIVE = ["QUEUED", "RUNNING"];

let deps: WharfDeps;
let runner: DeploymentRunner | null;
let owner: TestUser;
let hostIds: Record<string, string>;
const projects: { host: SandboxHost; name: string }[] = [];

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  hostIds = await addHosts(owner, ["h1", "h2"]);
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner?.stop({ graceMs: 1_000 });
  for (const { host, name } of projects) removeProject(host, name);
  await closeWharfDeps(deps);
});

/** The sandbox's fault injection: stops or starts one daemon of a host (stopping sshd drops every session). */
function service(host: "h1" | "h2", daemon: "sshd" | "dockerd", action: "stop" | "start"): void {
  execFileSync("bash", [SANDBOX, "service", host, daemon, action], { stdio: ["ignore", "ignore", "inherit"] });
}

async function createStack(purpose: string, host: "h1" | "h2", content = BASE) {
  const name = uniqueName(purpose);
  projects.push({ host: sandboxHost(host), name });
  return owner.caller.stack.create({
    name,
    targets: [{ hostId: hostIds[host] ?? "" }],
    revision: { message: "first", files: [{ path: BASE_FILE, content }], env: [{ key: "GREETING", value: "hi" }, { key: "DB_PASSWORD", value: "pw" }], secrets: [], limits: {} },
  });
}

async function deploy(stackId: string, action: "DEPLOY" | "REDEPLOY" = "DEPLOY") {
  const [job] = await owner.caller.deployment.start({ stackId, action });
  return followToEnd(owner, job?.id ?? "");
}

async function activeJobs(stackId?: string): Promise<number> {
  return deps.db.deployment.count({ where: { status: { in: ACTIVE as never[] }, ...(stackId ? { stackId } : {}) } });
}

describe("sshd killed while a log stream is open and a job runs", () => {
  it("ends the stream with an error naming the host, ends the job, and answers again once sshd is back", async () => {
    const logged = await createStack("sshlogs", "h1");
    expect((await deploy(logged.id)).job.status).toBe("SUCCEEDED");
    const slow = await createStack("sshjob", "h1", SLOW);

    const stream = untracked<{ lines: unknown[] }>(await owner.caller.stack.logs({ stackId: logged.id, hostId: hostIds.h1 ?? "", tail: 1, follow: true }));
    expect((await stream.next()).done).toBe(false);
    const [job] = await owner.caller.deployment.start({ stackId: slow.id, action: "DEPLOY" });
    const jobId = job?.id ?? "";
    await waitForJob(deps, jobId, (j) => j.status === "RUNNING");

    service("h1", "sshd", "stop");
    try {
      const ended = await (async () => {
        for (;;) if ((await stream.next()).done) return null;
      })().catch((error: unknown) => error);
      expect(ended).toBeInstanceOf(TRPCError);
      const error = ended as TRPCError;
      expect(error.code).not.toBe("INTERNAL_SERVER_ERROR");
      expect(error.message).toMatch(/h1|10\.231\.1\.2/);
      // What the user reads today: the broken connection, named by host, and what Wharf does next.
      expect(error.message).toMatch(/^The connection to the agent on h1 broke .*Test connection/);
      console.log(`sshd down: log stream ended with ${error.code}: ${error.message}`);
    } finally {
      service("h1", "sshd", "start");
    }
    const answered = await timeUntil("a query on h1", () => owner.caller.host.containers({ hostId: hostIds.h1 ?? "" }));
    console.log(`sshd restart: first successful call ${answered} ms after sshd was back`);

    const end = await waitForJob(deps, jobId, (j) => !ACTIVE.includes(j.status), 120_000);
    console.log(`sshd down mid-job: job ended ${end.status} (${end.error ?? "no error"})`);
    expect(["SUCCEEDED", "FAILED"]).toContain(end.status);
    if (end.status === "FAILED") expect(end.error).toMatch(/h1/);
    expect((await deploy(logged.id, "REDEPLOY")).job.status).toBe("SUCCEEDED");
    expect(await activeJobs()).toBe(0);
  });
});

describe("dockerd stopped and restarted", () => {
  it("shows the host as ERROR with Docker down, refuses or fails a deploy clearly, and is ONLINE and deploys once Docker is back", async () => {
    const h2 = sandboxHost("h2");
    const hostId = hostIds.h2 ?? "";
    const stack = await createStack("dockerd", "h2");
    service("h2", "dockerd", "stop");
    try {
      expect(await owner.caller.host.refresh({ hostId })).toEqual({ status: "ERROR" });
      const shown = await owner.caller.host.byId({ hostId });
      expect(shown.status).toBe("ERROR");
      expect(shown.statusMessage).toMatch(/Docker/);
      console.log(`dockerd down: host shows ${shown.status}: ${shown.statusMessage ?? ""}`);
      const tested = await owner.caller.host.testConnection({ hostId });
      expect(tested.steps.find((s) => !s.ok)?.name).toBe("docker");

      const refused = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }).then(
        async ([job]) => (await followToEnd(owner, job?.id ?? "")).job,
        (error: unknown) => error,
      );
      if (refused instanceof TRPCError) {
        expect(refused.code).not.toBe("INTERNAL_SERVER_ERROR");
        expect(refused.message).toMatch(/Docker/);
        console.log(`dockerd down: deploy refused with ${refused.code}: ${refused.message}`);
      } else {
        const job = refused as { status: string; error: string | null };
        expect(job.status).toBe("FAILED");
        expect(job.error).toMatch(/Docker/);
        console.log(`dockerd down: deploy failed: ${job.error ?? ""}`);
      }
      expect(await activeJobs(stack.id)).toBe(0);
    } finally {
      // Returns once the engine answers.
      service("h2", "dockerd", "start");
    }

    const online = await timeUntil("host h2 ONLINE", async () => {
      const { status } = await owner.caller.host.refresh({ hostId });
      if (status !== "ONLINE") throw new Error(`host is ${status}`);
    });
    console.log(`dockerd restart: host ONLINE ${online} ms after the engine answered`);
    expect(dockerCli(h2, ["images", "--format", "{{.Repository}}:{{.Tag}}"]).split("\n")).toContain(IMAGE);
    expect((await deploy(stack.id)).job.status).toBe("SUCCEEDED");
  });
});

describe("a control plane restarted 20 times mid-job", () => {
  it("leaves no job QUEUED or RUNNING, ends each with a clear status, and loses no revision or output line", async () => {
    await runner?.stop({ graceMs: 0 });
    runner = null;
    const revisionsBefore = await deps.db.stackRevision.count();
    const recorded = new Map<string, { seq: number; text: string }[]>();
    const restarts: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      // A stack of its own per round: compose of the killed job goes on on the host and holds its project.
      const stack = await createStack(`restart${i}`, "h1", SLOW);
      const child = spawnRunnerProcess(deps.config.dataDir);
      try {
        const started = Date.now();
        await waitForLine(child, "runner ready");
        restarts.push(Date.now() - started);
        const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
        const jobId = job?.id ?? "";
        await waitForJob(deps, jobId, (j) => j.status === "RUNNING", 30_000);
        const deadline = Date.now() + 30_000;
        while ((await deps.db.deploymentLog.count({ where: { deploymentId: jobId } })) === 0 && Date.now() < deadline) await sleep(50);
        recorded.set(jobId, await deps.db.deploymentLog.findMany({ where: { deploymentId: jobId }, orderBy: { seq: "asc" }, select: { seq: true, text: true } }));
      } finally {
        child.kill("SIGKILL");
        await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.once("exit", resolve) : resolve(null)));
      }
    }

    // The control plane's last start sweeps the jobs its predecessors left.
    runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
    for (const jobId of recorded.keys()) await waitForJob(deps, jobId, (j) => !ACTIVE.includes(j.status), 30_000);
    expect(await activeJobs()).toBe(0);
    expect(await deps.db.stackRevision.count()).toBe(revisionsBefore + 20);

    for (const [jobId, before] of recorded) {
      const job = await deps.db.deployment.findUniqueOrThrow({ where: { id: jobId }, select: { status: true, reason: true, error: true } });
      expect(job).toMatchObject({ status: "FAILED", reason: "CONTROL_PLANE_RESTARTED", error: "The control plane restarted while this job ran; check the host's state and redeploy." });
      const after = await deps.db.deploymentLog.findMany({ where: { deploymentId: jobId }, orderBy: { seq: "asc" }, select: { seq: true, text: true } });
      expect(before.length).toBeGreaterThan(0);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.map((line) => line.seq)).toEqual(after.map((_, seq) => seq));
      expect(after.at(-1)?.text).toBe(job.error);
    }
    console.log(`control plane restarted 20 times: runner ready in ${Math.min(...restarts)}-${Math.max(...restarts)} ms; ${recorded.size} jobs swept, none left active`);
  });
});
