import { TRPCError } from "@trpc/server";
import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { REDACTED } from "../lib/redact";
import { addHosts, captureLog, followToEnd, IMAGE, removeProject, sandboxHost, uniqueName } from "../test-support/stacks";

/**
 * Secret values that need every escape compose and YAML know (quotes, '' ,
 * $, backslashes). Each carries a token of letters and digits that any
 * printed form of it keeps: finding a token anywhere is a leak.
 */
const SECRETS = {
  MEMORY: `TokMem7 it's a 'q'' "p" $HOME \\w`,
  CONTAINER: `tokimg9 ''y'' $$x \\z "w" $`,
  PASSWORD: `TokPwd3 a\\b'c"d$e`,
};
const TOKENS = ["TokMem7", "tokimg9", "TokPwd3"];

let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostId: string;
const projects = new Set<string>();
let logged: string[] = [];
/** Every API response (and error) of this suite, as a client would receive it. */
const responses: unknown[] = [];

async function seen<T>(call: Promise<T>): Promise<T> {
  try {
    const result = await call;
    responses.push(result);
    return result;
  } catch (error) {
    responses.push(error instanceof TRPCError ? { message: error.message, cause: error.cause } : error);
    throw error;
  }
}

function leaks(text: string): string[] {
  return TOKENS.filter((token) => text.includes(token));
}

/** Every row of every table, as Postgres prints it (a dump of the data). */
async function databaseText(): Promise<string> {
  const tables = await deps.db.$queryRaw<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await deps.db.$queryRawUnsafe<{ text: string | null }[]>(`SELECT string_agg(t::text, E'\\n') AS text FROM "${name}" t`);
    parts.push(rows[0]?.text ?? "");
  }
  return parts.join("\n");
}

async function createStack(purpose: string, compose: string) {
  const name = uniqueName(purpose);
  projects.add(name);
  return owner.caller.stack.create({
    name,
    targets: [{ hostId }],
    revision: {
      message: "first",
      files: [{ path: "compose.yaml", content: compose }],
      env: [],
      secrets: Object.entries(SECRETS).map(([key, value]) => ({ key, value })),
      limits: {},
    },
  });
}

beforeAll(async () => {
  deps = createTestDeps();
  logged = captureLog(deps);
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  hostId = (await addHosts(owner, ["h1"])).h1 ?? "";
  // Every job runs its own preflight too: that path stores checks and the merged config.
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000, preflightMaxAgeMs: 0 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(sandboxHost("h1"), project);
  await closeWharfDeps(deps);
});

describe("secret values compose echoes in its errors", () => {
  it("never reach the database, an API response or the log", async () => {
    // compose config quotes a value it cannot parse: refused at preview and at deploy (preflight).
    const refused = await createStack(
      "redact-pre",
      `services:\n  web:\n    image: ${IMAGE}\n    mem_limit: \${MEMORY}\n    environment:\n      PASSWORD: \${PASSWORD}\n`,
    );
    const preview = await seen(owner.caller.stack.preview({ stackId: refused.id, hostId }));
    expect(preview.ok).toBe(false);
    expect(JSON.stringify(preview)).toContain(REDACTED);
    const draft = await seen(
      owner.caller.stack.previewDraft({
        stackId: refused.id,
        hostId,
        files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n    mem_limit: \${MEMORY}\n` }],
        env: [],
        secrets: Object.entries(SECRETS).map(([key, value]) => ({ key, value })),
        limits: {},
      }),
    );
    expect(draft.ok).toBe(false);
    const blocked = await seen(owner.caller.deployment.start({ stackId: refused.id, action: "DEPLOY" })).catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(TRPCError);
    expect((blocked as TRPCError).message).toContain(REDACTED);

    // This one passes compose config and preflight; compose up then fails on the container name, quoting it.
    const failing = await createStack("redact-run", `services:\n  web:\n    image: ${IMAGE}\n    container_name: "x\${CONTAINER}"\n    environment:\n      PASSWORD: \${PASSWORD}\n      MEMORY: \${MEMORY}\n`);
    const merged = await seen(owner.caller.stack.preview({ stackId: failing.id, hostId }));
    expect(merged.ok && merged.merged).toContain(REDACTED);
    const jobs = await seen(owner.caller.deployment.start({ stackId: failing.id, action: "DEPLOY" }));
    const ran = await followToEnd(owner, jobs[0]?.id ?? "");
    responses.push(ran);
    expect(ran.status).toBe("FAILED");
    expect(ran.job.error).toContain(REDACTED);
    expect(ran.lines.some((line) => line.stream !== "wharf" && line.text.includes(REDACTED))).toBe(true);

    for (const stack of [refused, failing]) {
      await seen(owner.caller.stack.byId({ stackId: stack.id }));
      const list = await seen(owner.caller.deployment.list({ stackId: stack.id }));
      for (const job of list.items) responses.push(await followToEnd(owner, job.id));
    }
    await seen(owner.caller.stack.list());
    await seen(owner.caller.audit.list({}));

    expect(leaks(await databaseText())).toEqual([]);
    expect(leaks(JSON.stringify(responses))).toEqual([]);
    expect(leaks(logged.join("\n"))).toEqual([]);
  });
});
