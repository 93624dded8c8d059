import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { addHosts, BASE, BASE_FILE, captureLog, containersOf, followToEnd, inspect, removeProject, sandboxHost, SLOW, uniqueName, waitForJob } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let runner: DeploymentRunner | null = null;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const projects = new Set<string>();
let logged: string[] = [];

function startRunner() {
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
  return runner;
}

async function createStack(purpose: string, content: string, greeting = "v1") {
  const name = uniqueName(purpose);
  projects.add(name);
  return owner.caller.stack.create({
    name,
    targets: [{ hostId }],
    revision: { message: "first", files: [{ path: BASE_FILE, content }], env: [{ key: "GREETING", value: greeting }], secrets: [{ key: "DB_PASSWORD", value: "pw-1234" }], limits: {} },
  });
}

async function run(stackId: string, action: "DEPLOY" | "DOWN" | "REDEPLOY") {
  const [job] = await owner.caller.deployment.start({ stackId, action });
  return followToEnd(owner, job?.id ?? "");
}

beforeAll(async () => {
  deps = createTestDeps();
  logged = captureLog(deps);
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  hostId = (await addHosts(owner, ["h1"])).h1 ?? "";
  h1 = sandboxHost("h1");
});

afterEach(async () => {
  await runner?.stop({ graceMs: 1_000 });
  runner = null;
});

afterAll(async () => {
  for (const project of projects) removeProject(h1, project);
  await closeWharfDeps(deps);
});

describe("cancel without its notification", () => {
  it("honours a cancel recorded before the job was claimed: compose never runs", async () => {
    const stack = await createStack("cancel-early", BASE);
    // No runner yet: the job waits, and its cancel is recorded with no one listening.
    const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    await deps.db.deployment.update({ where: { id: job?.id ?? "" }, data: { cancelRequestedAt: new Date() } });
    startRunner();
    const end = await followToEnd(owner, job?.id ?? "");
    expect(end.status).toBe("CANCELLED");
    expect(end.lines.map((line) => line.text)).not.toContain("Running compose up…");
    expect(containersOf(h1, stack.name)).toEqual([]);
  });

  it("honours a cancel recorded while the job runs, its notification lost", async () => {
    startRunner();
    const stack = await createStack("cancel-lost", SLOW);
    const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    await waitForJob(deps, job?.id ?? "", (j) => j.status === "RUNNING");
    // As cancelDeployment records it, minus the NOTIFY.
    await deps.db.deployment.update({ where: { id: job?.id ?? "" }, data: { cancelRequestedAt: new Date() } });
    const end = await followToEnd(owner, job?.id ?? "");
    expect(end.status).toBe("CANCELLED");
    // SLOW holds compose up for 8 s: it was stopped before the app service started.
    expect(containersOf(h1, stack.name, false).filter((name) => name.includes("-app-"))).toEqual([]);
    removeProject(h1, stack.name);
  });
});

describe("the runner's database connection", () => {
  it("reconnects after its session is killed, and runs the next job", async () => {
    const active = startRunner();
    const stack = await createStack("reconnect", BASE);
    expect((await run(stack.id, "DEPLOY")).status).toBe("SUCCEEDED");
    const killed = await deps.db.$queryRaw<{ ok: boolean }[]>`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${`wharf-runner ${active.id}`}`;
    expect(killed.map((row) => row.ok)).toEqual([true]);
    // The first reconnect waits 1 s; the job is picked up once it is back.
    expect((await run(stack.id, "DOWN")).status).toBe("SUCCEEDED");
    const sessions = await deps.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`wharf-runner ${active.id}`}`;
    expect(Number(sessions[0]?.n)).toBe(1);
  });

  it("retries a job's final status write: compose succeeded, so does the job", async () => {
    startRunner();
    const stack = await createStack("final-write", BASE);
    // The first two attempts to record the end of a job fail, as a database restart would make them.
    await deps.db.$executeRawUnsafe(`CREATE SEQUENCE IF NOT EXISTS wharf_test_final_write`);
    await deps.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION wharf_test_fail_final_write() RETURNS trigger AS $$
      BEGIN
        IF nextval('wharf_test_final_write') <= 2 THEN RAISE EXCEPTION 'simulated lost connection'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await deps.db.$executeRawUnsafe(`
      CREATE TRIGGER wharf_test_fail_final_write BEFORE UPDATE ON "Deployment" FOR EACH ROW
      WHEN (OLD.status = 'RUNNING' AND NEW.status <> 'RUNNING' AND OLD."stackId" = '${stack.id}')
      EXECUTE FUNCTION wharf_test_fail_final_write()`);
    try {
      const end = await run(stack.id, "DEPLOY");
      expect(end.status).toBe("SUCCEEDED");
      expect(end.job.reason).toBeNull();
      expect(logged.filter((line) => line.includes(`Recording the end of deployment ${end.job.id} failed`))).toHaveLength(2);
    } finally {
      await deps.db.$executeRawUnsafe(`DROP TRIGGER wharf_test_fail_final_write ON "Deployment"`);
      await deps.db.$executeRawUnsafe(`DROP FUNCTION wharf_test_fail_final_write()`);
      await deps.db.$executeRawUnsafe(`DROP SEQUENCE wharf_test_final_write`);
    }
    await run(stack.id, "DOWN");
  });
});

describe("what runs on a host", () => {
  it("is nothing after a down: redeploy is refused, deploy runs the latest revision, and every view agrees", async () => {
    startRunner();
    const stack = await createStack("deployed", BASE, "v1");
    expect((await run(stack.id, "DEPLOY")).status).toBe("SUCCEEDED");
    expect((await run(stack.id, "DOWN")).status).toBe("SUCCEEDED");
    const latest = (await owner.caller.stack.byId({ stackId: stack.id })).latestRevision;
    await owner.caller.stack.saveRevision({
      stackId: stack.id,
      message: "second",
      files: latest?.files ?? [],
      env: [{ key: "GREETING", value: "v2" }],
      secrets: [{ key: "DB_PASSWORD" }],
      limits: {},
    });
    // After the down, nothing is deployed: every view says so.
    expect((await owner.caller.stack.byId({ stackId: stack.id })).targets[0]?.deployed).toBeNull();
    expect((await owner.caller.stack.status({ stackId: stack.id, hostId })).deployed).toBeNull();

    // Nothing to redeploy (not the revision from before the down): a deploy is what brings it back.
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "REDEPLOY" }), "PRECONDITION_FAILED", /is not deployed there \(never deployed, or taken down\)/);
    const redeployed = await run(stack.id, "DEPLOY");
    expect(redeployed.status).toBe("SUCCEEDED");
    // Not revision 1, which ran before the down.
    expect(redeployed.job.revision.number).toBe(2);
    expect(inspect(h1, `${stack.name}-web-1`, "{{json .Config.Env}}")).toContain("GREETING=v2");
    const listed = (await owner.caller.stack.byId({ stackId: stack.id })).targets[0]?.deployed;
    const status = (await owner.caller.stack.status({ stackId: stack.id, hostId })).deployed;
    expect([listed?.revisionNumber, status?.revisionNumber]).toEqual([2, 2]);
    await run(stack.id, "DOWN");
  });
});
