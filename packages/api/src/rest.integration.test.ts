import { execFile } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { childEnv, REPO_ROOT } from "@wharf/testing/env";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { metricsExposition } from "./services/metrics";
import { serveRest, tokenFor } from "./test-support/rest";
import { addHosts, BASE, BASE_FILE, IMAGE, removeProject, sandboxHost, SERVICE, SERVICE_FILE, uniqueName } from "./test-support/stacks";

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let rest: Awaited<ReturnType<typeof serveRest>>;
let secret: string;
let stack: { id: string; name: string };
const UNHEALTHY = `services:
  gate:
    image: ${IMAGE}
    init: true
    command: ["sleep", "1000000"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
  app:
    image: ${IMAGE}
    init: true
    command: ["sleep", "1000000"]
    depends_on:
      gate:
        condition: service_healthy
`;
const configDir = mkdtempSync(path.join(tmpdir(), "wharf-cli-"));
const configFile = path.join(configDir, "wharf", "config.json");

/** The wharf command as a shell runs it, with its own config file. */
function wharf(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, "packages/cli/bin/wharf.mjs"), ...args],
      { env: childEnv({ WHARF_CONFIG: configFile }), timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function startJobs(body: object, key?: string) {
  return fetch(`${rest.url}/api/v1/stacks/${stack.id}/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  const hostIds = await addHosts(owner, ["h1"]);
  const name = uniqueName("rest");
  stack = await owner.caller.stack.create({
    name,
    targets: [{ hostId: hostIds.h1 ?? "" }],
    revision: {
      message: "first",
      files: [
        { path: BASE_FILE, content: BASE },
        { path: SERVICE_FILE, content: SERVICE },
      ],
      env: [{ key: "GREETING", value: "from-cli" }],
      secrets: [{ key: "DB_PASSWORD", value: "cli-Secret-1" }],
      limits: {},
    },
  });
  secret = (await tokenFor(deps, owner.teamId, owner.userId, { name: "ci-deploy", scope: "DEPLOY" })).secret;
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
  rest = await serveRest(deps);
});

afterAll(async () => {
  // Each is unset when beforeAll failed before it.
  await (rest as typeof rest | undefined)?.close();
  await (runner as DeploymentRunner | undefined)?.stop({ graceMs: 1_000 });
  if ((stack as typeof stack | undefined) !== undefined) removeProject(sandboxHost("h1"), stack.name);
  await closeWharfDeps(deps);
});

describe("the wharf command against a running server", () => {
  it("logs in with a token saved 0600, deploys streaming the output, shows status, jobs and logs", async () => {
    const login = await wharf("login", "--url", rest.url, "--token", secret);
    expect(login).toMatchObject({ code: 0, stdout: expect.stringMatching(/Logged in to http:\/\/127\.0\.0\.1:\d+ \(1 hosts visible\)/) as unknown });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(configFile)).mode & 0o777).toBe(0o700);

    const deploy = await wharf("deploy", stack.name);
    expect(deploy.stderr).toMatch(/deploy \S+: succeeded/);
    expect(deploy.stdout).toMatch(/Done in/);
    expect(deploy.code).toBe(0);

    const status = await wharf("--json", "status", stack.name);
    expect(status.code).toBe(0);
    const [row] = JSON.parse(status.stdout) as { name: string; targets: { host: { name: string }; state: { state: string } | null }[] }[];
    expect(row?.targets[0]).toMatchObject({ host: { name: "h1" }, state: { state: "RUNNING" } });

    const jobs = await wharf("--json", "jobs", "--stack", stack.name);
    expect(JSON.parse(jobs.stdout)).toEqual([expect.objectContaining({ action: "DEPLOY", status: "SUCCEEDED" })]);

    const logs = await wharf("logs", stack.name, "--tail", "3");
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^web \| web \d+ from-cli$/m);
    expect(logs.stdout).toMatch(/^worker \| worker \d+$/m);

    const audit = await deps.db.auditEvent.findFirstOrThrow({ where: { teamId: owner.teamId, targetType: "deployment", source: "API_TOKEN" } });
    expect(audit).toMatchObject({ source: "API_TOKEN", actorLabel: "token ci-deploy", actorName: `created by ${owner.email}` });
  });

  it("exits 1 when the job fails, 0 after rolling back, and 2 with a clear message on a wrong stack or no login", async () => {
    // compose up fails: app waits for gate, whose health check always fails.
    await owner.caller.stack.saveRevision({
      stackId: stack.id,
      message: "broken",
      files: [{ path: BASE_FILE, content: UNHEALTHY }],
      env: [{ key: "GREETING", value: "from-cli" }],
      secrets: [{ key: "DB_PASSWORD", value: "cli-Secret-1" }],
      limits: {},
    });
    const failed = await wharf("deploy", stack.name);
    expect(failed.stderr).toMatch(/deploy \S+: failed/);
    expect(failed.code).toBe(1);

    const rollback = await wharf("--json", "rollback", stack.name, "--revision", "1");
    expect(JSON.parse(rollback.stdout)).toEqual([expect.objectContaining({ status: "SUCCEEDED", exitCode: 0 })]);
    expect(rollback.code).toBe(0);

    const unknown = await wharf("deploy", "no-such-stack");
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/^wharf: No stack named "no-such-stack"/) as unknown });
    const usage = await wharf("rollback", stack.name);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/required option '--revision <n>' not specified/) as unknown });
    const loggedOut = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [path.join(REPO_ROOT, "packages/cli/bin/wharf.mjs"), "status"], { env: childEnv({ WHARF_CONFIG: path.join(configDir, "none.json") }) }, (error, _out, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stderr }),
      ),
    );
    expect(loggedOut).toMatchObject({ code: 2, stderr: expect.stringMatching(/Not logged in: run `wharf login/) as unknown });
  });

  it("answers a retried deploy with the same Idempotency-Key once, and refuses the key for another request", async () => {
    const body = { action: "REDEPLOY" };
    const first = await startJobs(body, "pipeline-42-deploy");
    expect(first.status).toBe(200);
    const jobs = (await first.json()) as { id: string }[];
    const retry = await startJobs(body, "pipeline-42-deploy");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(((await retry.json()) as { id: string }[]).map((job) => job.id)).toEqual(jobs.map((job) => job.id));
    expect(await deps.db.deployment.count({ where: { stackId: stack.id, action: "REDEPLOY" } })).toBe(1);
    const reused = await startJobs({ action: "RESTART" }, "pipeline-42-deploy");
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ code: "CONFLICT", details: { reason: "IDEMPOTENCY_KEY_REUSED" } });
    const row = await deps.db.idempotencyKey.findFirstOrThrow({ where: { key: "pipeline-42-deploy" } });
    expect(row.caller).toMatch(/^token:/);
  });

  it("exposes jobs, hosts by status and agent call latency to a Prometheus parser", async () => {
    const { text } = await metricsExposition(deps);
    const families = parsePrometheusTextFormat(text);
    expect(families.find((f) => f.name === "wharf_hosts")?.metrics).toEqual([{ labels: { status: "online" }, value: "1" }]);
    expect(families.find((f) => f.name === "wharf_jobs_total")?.metrics).toEqual(
      expect.arrayContaining([
        { labels: { action: "DEPLOY", result: "SUCCEEDED" }, value: "1" },
        { labels: { action: "DEPLOY", result: "FAILED" }, value: "1" },
        { labels: { action: "ROLLBACK", result: "SUCCEEDED" }, value: "1" },
      ]),
    );
    expect(text).toMatch(/^wharf_agent_call_duration_seconds_count\{method="\w+",outcome="ok"\} [1-9]\d*$/m);
    expect(families.find((f) => f.name === "wharf_ssh_reconnects")?.metrics).toEqual([{ value: "0" }]);
  });
});
