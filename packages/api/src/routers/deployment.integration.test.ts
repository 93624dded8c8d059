import type { inferRouterInputs } from "@trpc/server";
import { type AppRouter, type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { processesMentioning } from "@wharf/testing/processes";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { spawnRunnerProcess, waitForLine } from "../test-support/runner-process-spawn";
import {
  addHosts,
  BASE,
  BASE_FILE,
  containersOf,
  followToEnd,
  IMAGE,
  inspect,
  readSse,
  removeProject,
  sandboxHost,
  serveApi,
  SERVICE,
  SERVICE_FILE,
  SLOW,
  uniqueName,
  untracked,
  waitForJob,
} from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

const SECRET = "db-Secret-7c1d-value";
const MIB = 1024 ** 2;
/** Every first-class limit this machine can grant (rtprio and GPUs are refused: tested apart). */
const LIMITS_R1 = {
  web: {
    memoryBytes: 64 * MIB,
    memoryReservationBytes: 32 * MIB,
    cpus: 0.5,
    cpuset: "0",
    cpuRtRuntime: 100_000,
    ulimits: { nofile: { soft: 1024, hard: 2048 }, memlock: { soft: 65536, hard: 65536 } },
    capAdd: ["SYS_NICE"],
    capDrop: ["NET_RAW"],
  },
};
const LIMITS_R2 = { web: { memoryBytes: 96 * MIB, cpus: 1 } };

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostIds: Record<string, string>;
let h1: SandboxHost;
let h2: SandboxHost;
const projects = new Set<string>();

function files(service = SERVICE) {
  return [
    { path: BASE_FILE, content: BASE },
    { path: SERVICE_FILE, content: service },
  ];
}

type Limits = NonNullable<inferRouterInputs<AppRouter>["stack"]["saveRevision"]["limits"]>;

async function createStack(purpose: string, options: { hosts?: string[]; files?: { path: string; content: string }[]; limits?: Limits; greeting?: string } = {}) {
  const name = uniqueName(purpose);
  projects.add(name);
  const stack = await owner.caller.stack.create({
    name,
    targets: (options.hosts ?? ["h1"]).map((host) => ({ hostId: hostIds[host] ?? "" })),
    revision: {
      message: "first",
      files: options.files ?? files(),
      env: [{ key: "GREETING", value: options.greeting ?? "hello" }],
      secrets: [{ key: "DB_PASSWORD", value: SECRET }],
      limits: options.limits ?? {},
    },
  });
  return stack;
}

async function deploy(stackId: string, input: { action?: "DEPLOY" | "ROLLBACK" | "DOWN" | "REDEPLOY" | "STOP" | "RESTART"; revisionNumber?: number; hostIds?: string[]; options?: object } = {}) {
  const jobs = await owner.caller.deployment.start({ stackId, action: input.action ?? "DEPLOY", ...input, options: input.options ?? {} });
  const results = [];
  for (const job of jobs) results.push(await followToEnd(owner, job.id));
  return results;
}

function env(host: SandboxHost, container: string): string[] {
  return JSON.parse(inspect(host, container, "{{json .Config.Env}}")) as string[];
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  hostIds = await addHosts(owner, ["h1", "h2"]);
  h1 = sandboxHost("h1");
  h2 = sandboxHost("h2");
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) for (const host of [h1, h2]) removeProject(host, project);
  await closeWharfDeps(deps);
});

describe("deploying a multi-file stack", () => {
  it("deploys host by host, records what ran, shows status and both services' logs, then takes it down", async () => {
    const stack = await createStack("deploy", { hosts: ["h1", "h2"], limits: { web: { memoryBytes: 64 * MIB } } });
    const jobs = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    expect(jobs.map((j) => [j.host.name, j.status])).toEqual([
      ["h1", "QUEUED"],
      ["h2", "QUEUED"],
    ]);
    expect(jobs[1]?.afterId).toBe(jobs[0]?.id);
    const first = await followToEnd(owner, jobs[0]?.id ?? "");
    const second = await followToEnd(owner, jobs[1]?.id ?? "");
    expect([first.status, second.status]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    // Host by host: h2 started only after h1 had finished.
    expect(second.job.startedAt?.getTime()).toBeGreaterThanOrEqual(first.job.finishedAt?.getTime() ?? Infinity);

    // The full output is kept: compose's own lines between Wharf's.
    const texts = first.lines.map((l) => l.text);
    expect(texts[0]).toMatch(/^Starting the deploy of it-deploy-\w+ revision 1 on h1/);
    expect(texts.some((t) => /Container .*web-1 +Started/.test(t))).toBe(true);
    expect(texts.at(-1)).toMatch(/^Done in \d+\.\d s\.$/);
    expect(first.lines.map((l) => l.seq)).toEqual(first.lines.map((_, i) => i));

    // What ran: merged config (secret redacted), env without secret values, image digests.
    expect(first.job.renderedCompose).toMatch(/memory: "67108864"/);
    expect(first.job.renderedCompose).not.toContain(SECRET);
    expect(first.job.envRedacted).toEqual([
      { key: "GREETING", value: "hello", secret: false },
      { key: "DB_PASSWORD", value: null, secret: true },
    ]);
    expect(first.job.imageDigests?.map((i) => i.service)).toEqual(["web", "worker"]);
    expect(first.job.imageDigests?.[0]?.imageId).toMatch(/^sha256:/);
    expect(first.job.compose).toMatch(/^v2 2\./);
    // The secret reached the container all the same.
    expect(env(h1, `${stack.name}-web-1`)).toContain(`DB_PASSWORD=${SECRET}`);

    const status = await owner.caller.stack.status({ stackId: stack.id, hostId: hostIds.h1 ?? "" });
    expect(status.deployed?.revisionNumber).toBe(1);
    expect(status.services.map((s) => [s.service, s.containers.map((c) => c.state)])).toEqual([
      ["web", ["running"]],
      ["worker", ["running"]],
    ]);
    expect(status.services[0]?.containers[0]?.memoryLimitBytes).toBe(64 * MIB);
    expect(status.services[0]?.containers[0]?.cpuPercent).toEqual(expect.any(Number));
    expect(status.drift?.inSync).toBe(true);
    // Nothing a client can read carries the secret's value.
    const reads = JSON.stringify([first, second, status, await owner.caller.deployment.list({ stackId: stack.id }), await owner.caller.audit.list({ limit: 100 })]);
    expect(reads).not.toContain(SECRET);
    const listed = await owner.caller.stack.list({});
    expect(listed.find((s) => s.id === stack.id)?.targets.map((t) => [t.host.name, t.lastDeployment?.status, t.deployed?.revisionNumber])).toEqual([
      ["h1", "SUCCEEDED", 1],
      ["h2", "SUCCEEDED", 1],
    ]);

    // Logs: both services interleaved, from the agent as they come.
    const seen = new Map<string, number>();
    const order: string[] = [];
    const logs = await owner.caller.stack.logs({ stackId: stack.id, hostId: hostIds.h1 ?? "", tail: 5, follow: true });
    for await (const batch of untracked<{ service: string; lines: { line: string; stream: string }[] }>(logs)) {
      for (const line of batch.lines) {
        expect(line.line.startsWith(batch.service)).toBe(true);
        expect(line.stream).toBe(batch.service === "web" ? "stdout" : "stderr");
      }
      seen.set(batch.service, (seen.get(batch.service) ?? 0) + batch.lines.length);
      if (order.at(-1) !== batch.service) order.push(batch.service);
      if ((seen.get("web") ?? 0) > 10 && (seen.get("worker") ?? 0) > 10) break;
    }
    expect([...seen.keys()].sort()).toEqual(["web", "worker"]);
    // Followed lines of the two services alternate as they are printed.
    expect(order.length).toBeGreaterThan(3);

    // Drift: a container removed by hand and one started beside the stack.
    dockerCli(h1, ["rm", "-f", `${stack.name}-worker-1`]);
    const drifted = await owner.caller.stack.status({ stackId: stack.id, hostId: hostIds.h1 ?? "" });
    expect(drifted.drift?.missing).toEqual([{ service: "worker", expected: 1, found: 0 }]);
    expect(drifted.drift?.inSync).toBe(false);

    const [down] = await deploy(stack.id, { action: "DOWN", hostIds: [hostIds.h1 ?? ""] });
    expect(down?.status).toBe("SUCCEEDED");
    expect(containersOf(h1, stack.name)).toEqual([]);
    expect(containersOf(h2, stack.name)).toHaveLength(2);
    expect((await owner.caller.stack.byId({ stackId: stack.id })).targets.map((t) => [t.host.name, t.deployed?.revisionNumber ?? null])).toEqual([
      ["h1", null],
      ["h2", 1],
    ]);
    await expectTrpcError(owner.caller.stack.remove({ stackId: stack.id, confirmName: stack.name }), "CONFLICT", /still deployed on h2: run down there first/);
    await expectTrpcError(owner.caller.stack.update({ stackId: stack.id, targets: [{ hostId: hostIds.h1 ?? "" }] }), "CONFLICT", /still deployed on h2: run down there before removing the host/);

    // Redeploy replaces every container in place: new containers, the same network.
    const network = (): string => dockerCli(h2, ["network", "inspect", "--format", "{{.Id}}", `${stack.name}_default`]).trim();
    const ids = (): string[] => ["web", "worker"].map((service) => inspect(h2, `${stack.name}-${service}-1`, "{{.Id}}"));
    const [networkBefore, idsBefore] = [network(), ids()];
    const [redeployed] = await deploy(stack.id, { action: "REDEPLOY", hostIds: [hostIds.h2 ?? ""] });
    expect(redeployed?.status).toBe("SUCCEEDED");
    expect(redeployed?.job.renderedCompose).toBe(second.job.renderedCompose);
    const idsAfter = ids();
    expect(idsAfter.filter((id) => idsBefore.includes(id))).toEqual([]);
    expect(network()).toBe(networkBefore);

    await deploy(stack.id, { action: "DOWN", hostIds: [hostIds.h2 ?? ""] });
    await owner.caller.stack.remove({ stackId: stack.id, confirmName: stack.name });
  });

  it("applies every runtime limit (HostConfig and cgroups), and rollback restores revision 1 exactly", async () => {
    const stack = await createStack("limits", { limits: LIMITS_R1 });
    const [r1] = await deploy(stack.id);
    expect(r1?.status).toBe("SUCCEEDED");
    const web = `${stack.name}-web-1`;
    const hostConfig = JSON.parse(inspect(h1, web, "{{json .HostConfig}}")) as Record<string, unknown>;
    expect(hostConfig).toMatchObject({
      Memory: 64 * MIB,
      MemoryReservation: 32 * MIB,
      NanoCpus: 500_000_000,
      CpusetCpus: "0",
      CpuRealtimeRuntime: 100_000,
      CapAdd: ["SYS_NICE"],
      CapDrop: ["NET_RAW"],
    });
    expect(hostConfig.Ulimits).toEqual(
      expect.arrayContaining([
        { Name: "nofile", Soft: 1024, Hard: 2048 },
        { Name: "memlock", Soft: 65536, Hard: 65536 },
      ]),
    );
    // The kernel's view, from inside the container.
    const cgroup = (file: string) => dockerCli(h1, ["exec", web, "cat", `/sys/fs/cgroup/${file}`]).trim();
    expect(cgroup("memory/memory.limit_in_bytes")).toBe(String(64 * MIB));
    expect(cgroup("cpu/cpu.rt_runtime_us")).toBe("100000");
    expect(cgroup("cpu/cpu.cfs_quota_us")).toBe("50000");
    expect(cgroup("cpuset/cpuset.cpus")).toBe("0");
    // Read from the service's own process (pid 1): one started by `docker exec` can run with the engine's limits instead.
    const limits = dockerCli(h1, ["exec", web, "cat", "/proc/1/limits"]);
    expect(limits).toMatch(/^Max open files\s+1024\s+2048\s+files\s*$/m);

    await owner.caller.stack.saveRevision({
      stackId: stack.id,
      message: "bigger",
      files: files(SERVICE.replace("tier: front", "tier: edge")),
      env: [{ key: "GREETING", value: "v2" }],
      secrets: [{ key: "DB_PASSWORD", value: "another-secret-2" }],
      limits: LIMITS_R2,
    });
    const [r2] = await deploy(stack.id);
    expect(r2?.status).toBe("SUCCEEDED");
    expect(inspect(h1, web, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuRealtimeRuntime}}")).toBe(`${96 * MIB} 1000000000 0`);
    expect(env(h1, web)).toContain("GREETING=v2");

    const [rollback] = await deploy(stack.id, { action: "ROLLBACK", revisionNumber: 1 });
    expect(rollback?.status).toBe("SUCCEEDED");
    expect(rollback?.job.revision.number).toBe(1);
    // Exactly what ran; the tags still name the images it ran, so none needed pinning.
    expect(rollback?.job.renderedCompose).toBe(r1?.job.renderedCompose);
    expect(rollback?.job.imagePins).toBeNull();
    expect(rollback?.job.limitsOverride).toBe(r1?.job.limitsOverride);
    expect(env(h1, web)).toEqual(expect.arrayContaining(["GREETING=hello", `DB_PASSWORD=${SECRET}`]));
    expect(inspect(h1, web, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuRealtimeRuntime}} {{.Config.Labels.tier}}")).toBe(
      `${64 * MIB} 500000000 100000 front`,
    );
    await deploy(stack.id, { action: "DOWN" });
  });

  it("rolls back to the image a revision ran even after its tag moved", async () => {
    const tag = `wharf-test/pinned-${uniqueName("tag")}:v1`;
    dockerCli(h1, ["tag", IMAGE, tag]);
    const stack = await createStack("pins", { files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${tag}\n    init: true\n    command: ["sleep", "1000000"]\n` }] });
    const web = `${stack.name}-web-1`;
    try {
      const [r1] = await deploy(stack.id);
      expect(r1?.status).toBe("SUCCEEDED");
      const ranFirst = inspect(h1, web, "{{.Image}}");
      // The tag now names another image (a commit of the running container), which revision 2 runs.
      dockerCli(h1, ["commit", web, tag]);
      expect(inspect(h1, tag, "{{.Id}}")).not.toBe(ranFirst);
      await owner.caller.stack.saveRevision({ stackId: stack.id, message: "second", files: (await owner.caller.stack.byId({ stackId: stack.id })).latestRevision?.files ?? [], env: [{ key: "GREETING", value: "v2" }], secrets: [], limits: {} });
      const [r2] = await deploy(stack.id);
      expect(r2?.status).toBe("SUCCEEDED");
      expect(inspect(h1, web, "{{.Image}}")).not.toBe(ranFirst);

      const [rollback] = await deploy(stack.id, { action: "ROLLBACK", revisionNumber: 1 });
      expect(rollback?.status).toBe("SUCCEEDED");
      expect(rollback?.job.imagePins).toEqual([{ service: "web", image: ranFirst }]);
      expect(rollback?.job.renderedCompose).toContain(`image: ${ranFirst}`);
      expect(inspect(h1, web, "{{.Image}}")).toBe(ranFirst);
    } finally {
      await deploy(stack.id, { action: "DOWN" });
      dockerCli(h1, ["rmi", tag]);
    }
  });
});

describe("preflight and validation block the deploy", () => {
  it("refuses rtprio 99 on a host that cannot grant it, with the agent's message, and deploys nothing", async () => {
    const stack = await createStack("rtprio", { limits: { web: { ulimits: { rtprio: { soft: 99, hard: 99 } } } } });
    const error = await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /host h1 cannot grant .*rtprio.*99/i);
    expect(error.cause).toMatchObject({ reason: "PREFLIGHT_FAILED" });
    expect(containersOf(h1, stack.name)).toEqual([]);
    const { items } = await owner.caller.deployment.list({ stackId: stack.id });
    expect(items.map((j) => [j.status, j.reason])).toEqual([["FAILED", "PREFLIGHT_FAILED"]]);
    const job = await owner.caller.deployment.byId({ deploymentId: items[0]?.id ?? "" });
    expect(job.preflight?.find((c) => !c.ok)).toMatchObject({ service: "web", check: "ulimit" });
    const { lines } = await followToEnd(owner, job.id);
    expect(lines.map((l) => l.text).join("\n")).toMatch(/host h1 cannot grant .*rtprio/i);
  });

  it("refuses GPUs on a host without the nvidia runtime", async () => {
    const stack = await createStack("gpu", { limits: { web: { gpus: { count: 1 } } } });
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /host h1 cannot grant .*GPU/i);
    expect(containersOf(h1, stack.name)).toEqual([]);
  });

  it("refuses files compose rejects, naming the file and line", async () => {
    const stack = await createStack("invalid", { files: files(SERVICE.replace("    image:", "    imagee:")) });
    const error = await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /service\/docker-compose\.service\.yaml line 6: .*imagee/);
    expect(error.cause).toMatchObject({ reason: "COMPOSE_INVALID", problems: [expect.objectContaining({ file: SERVICE_FILE, line: 6 })] });
    expect(containersOf(h1, stack.name)).toEqual([]);
  });
});

describe("jobs", () => {
  it("runs one job at a time per stack and host, cancels queued and running jobs, and skips the hosts after a failed one", async () => {
    const stack = await createStack("slow", { hosts: ["h1", "h2"], files: [{ path: BASE_FILE, content: SLOW }] });
    const [onH1, onH2] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    if (!onH1 || !onH2) throw new Error("expected one job per host");
    await expectTrpcError(
      owner.caller.deployment.start({ stackId: stack.id, action: "RESTART", hostIds: [hostIds.h1 ?? ""] }),
      "CONFLICT",
      new RegExp(`A deploy of ${stack.name} on h1 is already (queued|running) \\(requested by ${owner.email}\\): wait for it or cancel it\\.`),
    );
    await waitForJob(deps, onH1.id, (j) => j.status === "RUNNING");
    // h2 waits for h1: cancelled at once, before it starts.
    expect(await owner.caller.deployment.cancel({ deploymentId: onH2.id })).toEqual({ id: onH2.id, status: "CANCELLED" });
    expect((await owner.caller.deployment.byId({ deploymentId: onH2.id })).error).toBe(`Cancelled by ${owner.email} before it started.`);

    // Let compose get going on h1 (gate is created, app waits for it to be healthy), then cancel it.
    for (let i = 0; i < 50 && containersOf(h1, stack.name).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await owner.caller.deployment.cancel({ deploymentId: onH1.id })).toEqual({ id: onH1.id, status: "CANCELLING" });
    const end = await followToEnd(owner, onH1.id);
    expect(end.status).toBe("CANCELLED");
    expect(end.job.error).toBe("Cancelled while compose ran: the stack may be partly changed on h1.");
    expect(end.lines.at(-1)?.text).toMatch(/^Cancelled after \d+\.\d s/);
    // Compose was stopped on the host: app never started.
    expect(containersOf(h1, stack.name, false).filter((name) => name.includes("-app-"))).toEqual([]);
    await expectTrpcError(owner.caller.deployment.cancel({ deploymentId: onH1.id }), "CONFLICT", /already finished \(cancelled\)/);

    // Cancelling the first host's job skips the hosts after it.
    const [again1, again2] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    await waitForJob(deps, again1?.id ?? "", (j) => j.status === "RUNNING");
    await owner.caller.deployment.cancel({ deploymentId: again1?.id ?? "" });
    await followToEnd(owner, again1?.id ?? "");
    expect(await owner.caller.deployment.byId({ deploymentId: again2?.id ?? "" })).toMatchObject({ status: "CANCELLED", reason: "SKIPPED" });
    expect(containersOf(h2, stack.name)).toEqual([]);

    const audit = await owner.caller.audit.list({ limit: 50 });
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(["deployment.request", "deployment.cancel", "deployment.finish"]));
    await deploy(stack.id, { action: "DOWN", hostIds: [hostIds.h1 ?? ""] });
  });

  it("enforces one active job per stack and host in the database, even for requests racing past the check", async () => {
    const stack = await createStack("race");
    // Build: a job that needs nothing deployed (nothing to build here, so it ends at once).
    const results = await Promise.allSettled([
      owner.caller.deployment.start({ stackId: stack.id, action: "BUILD" }),
      owner.caller.deployment.start({ stackId: stack.id, action: "BUILD" }),
      owner.caller.deployment.start({ stackId: stack.id, action: "BUILD" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/already (queued|running)/), expect.stringMatching(/already (queued|running)/)]);
    const [job] = won[0]?.status === "fulfilled" ? won[0].value : [];
    await followToEnd(owner, job?.id ?? "");
  });

  it("streams output and logs to a browser over SSE; a reader that reconnects with its last event id loses nothing", async () => {
    const api = await serveApi(deps, owner.userId);
    try {
      const stack = await createStack("sse");
      const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
      type Output = { type: "lines"; lines: { seq: number; text: string; at: Date }[] } | { type: "status"; status: string };
      // Live, over HTTP: read a few lines, drop the connection, resume from the last event id.
      const firstPart: { seq: number; text: string; at: Date }[] = [];
      let lastId: string | null = null;
      await readSse<Output>(`${api.url}/deployment.output`, { deploymentId: job?.id }, (event, id) => {
        if (event.type === "lines") firstPart.push(...event.lines);
        lastId = id;
        return firstPart.length < 2;
      });
      expect(firstPart[0]?.at).toBeInstanceOf(Date);
      const rest: { seq: number; text: string }[] = [];
      const statuses: string[] = [];
      await readSse<Output>(
        `${api.url}/deployment.output`,
        { deploymentId: job?.id },
        (event) => {
          if (event.type === "lines") rest.push(...event.lines);
          else statuses.push(event.status);
          return true;
        },
        { lastEventId: lastId ?? "" },
      );
      expect(statuses.at(-1)).toBe("SUCCEEDED");
      const stored = (await followToEnd(owner, job?.id ?? "")).lines;
      expect([...firstPart, ...rest].map((l) => [l.seq, l.text])).toEqual(stored.map((l) => [l.seq, l.text]));

      // Logs: resuming with the cursor of the last batch repeats no line and skips none.
      const before: string[] = [];
      let cursor: string | null = null;
      await readSse<{ service: string; lines: { line: string }[] }>(`${api.url}/stack.logs`, { stackId: stack.id, hostId: hostIds.h1, services: ["web"], tail: "all", follow: true }, (batch, id) => {
        before.push(...batch.lines.map((l) => l.line));
        cursor = id;
        return before.length < 5;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after: string[] = [];
      await readSse<{ service: string; lines: { line: string }[] }>(
        `${api.url}/stack.logs`,
        { stackId: stack.id, hostId: hostIds.h1, services: ["web"], tail: "all", follow: true },
        (batch) => {
          after.push(...batch.lines.map((l) => l.line));
          return after.length < 8;
        },
        { lastEventId: cursor ?? "" },
      );
      const numbers = [...before, ...after].map((line) => Number(/^web (\d+) /.exec(line)?.[1]));
      expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
      await deploy(stack.id, { action: "DOWN" });
    } finally {
      await api.close();
    }
  });

  it("records a failure found after the job started (secrets that no longer decrypt) on the job", async () => {
    const stack = await createStack("badkey");
    const revision = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId: stack.id } });
    await deps.db.stackRevision.update({ where: { id: revision.id }, data: { secretsEnc: new Uint8Array([1, ...Array.from({ length: 40 }, () => 7)]) } });
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "BUILD" }), "PRECONDITION_FAILED", /cannot be decrypted: Wharf's master key is not the one/);
    // Queued directly, as if the key changed while it waited: the runner fails it with the same message.
    const job = await deps.db.deployment.create({ data: { stackId: stack.id, hostId: hostIds.h1 ?? "", revisionId: revision.id, action: "STOP", requestedByLabel: "test" } });
    await deps.db.$executeRaw`SELECT pg_notify('wharf_deployments', '')`;
    const end = await followToEnd(owner, job.id);
    expect(end.job).toMatchObject({ status: "FAILED", reason: "SECRETS_UNREADABLE" });
    expect(end.lines.at(-1)?.text).toMatch(/^Failed after .*cannot be decrypted/);
  });

  it("records a job still running when its control plane shuts down as failed, at once", async () => {
    const stack = await createStack("shutdown", { files: [{ path: BASE_FILE, content: SLOW }] });
    const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    await waitForJob(deps, job?.id ?? "", (j) => j.status === "RUNNING");
    await runner.stop({ graceMs: 0 });
    expect(await deps.db.deployment.findUniqueOrThrow({ where: { id: job?.id ?? "" } })).toMatchObject({ status: "FAILED", reason: "CONTROL_PLANE_STOPPED" });
    runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
    const [down] = await deploy(stack.id, { action: "DOWN" });
    expect(down?.status).toBe("SUCCEEDED");
  });

  it("marks a job failed, never stuck, when the control plane running it dies", async () => {
    await runner.stop({ graceMs: 0 });
    const stack = await createStack("restart", { files: [{ path: BASE_FILE, content: SLOW }] });
    const child = spawnRunnerProcess(deps.config.dataDir);
    try {
      await waitForLine(child, "runner ready");
      const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
      await waitForJob(deps, job?.id ?? "", (j) => j.status === "RUNNING");
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      expect((await deps.db.deployment.findUniqueOrThrow({ where: { id: job?.id ?? "" } })).status).toBe("RUNNING");

      runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
      const failed = await waitForJob(deps, job?.id ?? "", (j) => j.status !== "RUNNING", 15_000);
      expect(failed).toMatchObject({ status: "FAILED", reason: "CONTROL_PLANE_RESTARTED" });
      expect(failed.error).toBe("The control plane restarted while this job ran; check the host's state and redeploy.");
      const end = await followToEnd(owner, job?.id ?? "");
      expect(end.lines.at(-1)?.text).toBe(failed.error);
      // Compose outlives its control plane on the host; once it is done the host is usable again.
      const deadline = Date.now() + 60_000;
      while (processesMentioning(stack.name).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const [redeploy] = await deploy(stack.id, { action: "DOWN" });
      expect(redeploy?.status).toBe("SUCCEEDED");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
