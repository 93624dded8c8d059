import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { childEnv } from "@wharf/testing/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { REDACTED } from "../lib/redact";
import { BASE, BASE_FILE, ownerWithHosts, problemsOf, sandboxHost, SERVICE, SERVICE_FILE, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

const SECRET = "pa55-Secret-Value-9f3e";
const LIMITS = {
  web: { memoryBytes: 64 * 1024 ** 2, cpus: 0.5, cpuset: "0", ulimits: { nofile: { soft: 1024, hard: 2048 } }, capAdd: ["SYS_NICE"], capDrop: ["NET_RAW"] },
};

let deps: WharfDeps;
let owner: TestUser;
let hosts: Record<string, string>;

function files(service = SERVICE) {
  return [
    { path: BASE_FILE, content: BASE },
    { path: SERVICE_FILE, content: service },
  ];
}

async function createStack(name = uniqueName("stack"), targets = [{ hostId: hosts.h1 ?? "" }]) {
  return owner.caller.stack.create({
    name,
    targets,
    revision: { message: "first", files: files(), env: [{ key: "GREETING", value: "hello" }], secrets: [{ key: "DB_PASSWORD", value: SECRET }], limits: LIMITS },
  });
}

beforeAll(async () => {
  ({ deps, owner, hostIds: hosts } = await ownerWithHosts(["h1", "h2"]));
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

describe("stacks and revisions", () => {
  it("saves immutable revisions with author and message, lists and diffs them", async () => {
    const stack = await createStack();
    expect(stack.revision?.number).toBe(1);
    const second = await owner.caller.stack.saveRevision({
      stackId: stack.id,
      baseRevision: 1,
      message: "worker quieter, new greeting",
      files: files(SERVICE.replace("sleep 0.2", "sleep 1")),
      env: [
        { key: "GREETING", value: "bonjour" },
        { key: "LEVEL", value: "debug" },
      ],
      // Kept without sending it again.
      secrets: [{ key: "DB_PASSWORD" }],
      limits: { web: { ...LIMITS.web, memoryBytes: 128 * 1024 ** 2 } },
    });
    expect(second).toMatchObject({ number: 2, message: "worker quieter, new greeting" });
    expect(second.authorLabel).toBe(owner.email);

    const list = await owner.caller.stack.revisions({ stackId: stack.id });
    expect(list.items.map((r) => r.number)).toEqual([2, 1]);
    const first = await owner.caller.stack.revision({ stackId: stack.id, number: 1 });
    expect(first.files.map((f) => f.path)).toEqual([BASE_FILE, SERVICE_FILE]);
    expect(first.env).toEqual([{ key: "GREETING", value: "hello" }]);
    expect(first.secretNames).toEqual(["DB_PASSWORD"]);

    const diff = await owner.caller.stack.diff({ stackId: stack.id, from: 1, to: 2 });
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      [BASE_FILE, "unchanged"],
      [SERVICE_FILE, "modified"],
    ]);
    expect(diff.files[1]?.patch).toMatch(/-.*sleep 0\.2.*\n\+.*sleep 1/);
    expect(diff.env).toEqual([
      { key: "GREETING", change: "modified", from: "hello", to: "bonjour" },
      { key: "LEVEL", change: "added", from: null, to: "debug" },
    ]);
    expect(diff.secrets).toEqual([{ key: "DB_PASSWORD", change: "unchanged" }]);
    expect(diff.limits[0]).toMatchObject({ service: "web", change: "modified" });

    // An editor still on revision 1 must not silently overwrite revision 2.
    await expectTrpcError(owner.caller.stack.saveRevision({ stackId: stack.id, baseRevision: 1, files: files() }), "CONFLICT", /saved revision 2 .* after you started editing revision 1/);

    const byId = await owner.caller.stack.byId({ stackId: stack.id });
    expect(byId.latestRevision?.number).toBe(2);
    expect(byId.targets.map((t) => t.host.name)).toEqual(["h1"]);
    const audit = await owner.caller.audit.list({ limit: 20 });
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(["stack.create", "stack.revision"]));
  });

  it("updates targets and per-host overlays, and removes a stack only with its name", async () => {
    const stack = await createStack();
    const overlay = "services:\n  web:\n    environment:\n      REGION: eu\n";
    const updated = await owner.caller.stack.update({ stackId: stack.id, description: "shop front", targets: [{ hostId: hosts.h1 ?? "" }, { hostId: hosts.h2 ?? "", overlay }] });
    expect(updated.changes).toEqual(["description", "1 host(s) added"]);
    const byId = await owner.caller.stack.byId({ stackId: stack.id });
    expect(byId.targets.map((t) => [t.host.name, t.overlay])).toEqual([
      ["h1", null],
      ["h2", overlay],
    ]);
    const listed = await owner.caller.stack.list({ hostId: hosts.h2 });
    expect(listed.map((s) => s.id)).toContain(stack.id);
    expect(listed.find((s) => s.id === stack.id)?.targets.map((t) => [t.host.name, t.hasOverlay, t.deployed])).toEqual([
      ["h1", false, null],
      ["h2", true, null],
    ]);

    const badOverlay = await expectTrpcError(owner.caller.stack.update({ stackId: stack.id, targets: [{ hostId: hosts.h1 ?? "", overlay: "services:\n  web: [\n" }] }), "BAD_REQUEST", /wharf\.host\.yaml line 3/);
    expect(badOverlay.cause).toMatchObject({ problems: [expect.objectContaining({ path: ["targets", 0, "overlay"], file: "wharf.host.yaml" })] });

    await expectTrpcError(owner.caller.stack.remove({ stackId: stack.id, confirmName: "wrong" }), "BAD_REQUEST", /Type the stack's name/);
    await owner.caller.stack.remove({ stackId: stack.id, confirmName: byId.name });
    await expectTrpcError(owner.caller.stack.byId({ stackId: stack.id }), "NOT_FOUND", /not found/);
  });
});

describe("validation: clear errors, nothing saved", () => {
  async function revisionCount(stackId: string) {
    return deps.db.stackRevision.count({ where: { stackId } });
  }

  it("invalid YAML names the file and line", async () => {
    const stack = await createStack();
    const error = await expectTrpcError(
      owner.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: BASE_FILE, content: BASE }, { path: SERVICE_FILE, content: "services:\n  worker:\n    image: x\n   command: [\n" }] }),
      "BAD_REQUEST",
      /service\/docker-compose\.service\.yaml line 4/,
    );
    expect(error.cause).toMatchObject({ reason: "INVALID_INPUT" });
    expect(problemsOf(error)[0]).toEqual({
      file: SERVICE_FILE,
      line: 4,
      path: ["files", 1, "content"],
      message: "service/docker-compose.service.yaml line 4: All mapping items must start at the same column",
    });
    expect(await revisionCount(stack.id)).toBe(1);
  });

  it("an unknown top-level key, a bad path and a duplicate path", async () => {
    const stack = await createStack();
    await expectTrpcError(
      owner.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: BASE_FILE, content: `${BASE}servces:\n  x: {}\n` }] }),
      "BAD_REQUEST",
      /docker-compose\.sample-service\.yaml line 9: unknown top-level key "servces"/,
    );
    await expectTrpcError(owner.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: "../x.yaml", content: BASE }] }), "BAD_REQUEST", /"\.\.\/x\.yaml" contains "\.\."/);
    await expectTrpcError(
      owner.caller.stack.saveRevision({
        stackId: stack.id,
        files: [
          { path: BASE_FILE, content: BASE },
          { path: BASE_FILE, content: SERVICE },
        ],
      }),
      "BAD_REQUEST",
      /is given twice/,
    );
    expect(await revisionCount(stack.id)).toBe(1);
  });

  it("duplicate service and variable names, limits for an unknown service, a new secret without value", async () => {
    const stack = await createStack();
    const error = await expectTrpcError(
      owner.caller.stack.saveRevision({
        stackId: stack.id,
        files: [{ path: BASE_FILE, content: `${BASE}  web:\n    image: ${"x"}\n` }],
        env: [
          { key: "A", value: "1" },
          { key: "A", value: "2" },
        ],
        secrets: [{ key: "NEW_SECRET" }],
        limits: { ghost: { cpus: 1 } },
      }),
      "BAD_REQUEST",
      /.+/,
    );
    const messages = problemsOf(error).map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/line 9: .*unique/i), "variable A is defined twice", "Secret NEW_SECRET is new: give it a value."]));
    const limitsError = await expectTrpcError(owner.caller.stack.saveRevision({ stackId: stack.id, files: files(), limits: { ghost: { cpus: 1 } } }), "BAD_REQUEST", /Limits name service ghost, which the files do not define \(they define web, worker\)/);
    expect(limitsError.cause).toMatchObject({ problems: [expect.objectContaining({ path: ["limits", "ghost"] })] });
    expect(await revisionCount(stack.id)).toBe(1);
  });

  it("a stack name that is not a DNS label, and a duplicate stack name", async () => {
    for (const name of ["Shop", "shop_1", "-shop", "a".repeat(64), "shop;rm"]) {
      const error = await expectTrpcError(owner.caller.stack.create({ name, targets: [] }), "BAD_REQUEST", /.+/);
      expect((error.cause as { issues?: { path: unknown[] }[] }).issues?.[0]?.path).toEqual(["name"]);
    }
    const name = uniqueName("dup");
    await owner.caller.stack.create({ name });
    await expectTrpcError(owner.caller.stack.create({ name }), "CONFLICT", /already exists/);
  });
});

describe("preview", () => {
  it("equals `docker compose config` for the same files on the host, with the limits override last", async () => {
    const stack = await createStack();
    const preview = await owner.caller.stack.preview({ stackId: stack.id, hostId: hosts.h1 ?? "" });
    if (!preview.ok) throw new Error(preview.problem.message);
    expect(preview.files).toEqual([BASE_FILE, SERVICE_FILE, "wharf.limits.yaml"]);
    expect(preview.services).toEqual(["web", "worker"]);

    // The CLI, on the host's socket, with the same files written to a directory.
    const dir = mkdtempSync(path.join(os.tmpdir(), "wharf-preview-"));
    mkdirSync(path.join(dir, "service"));
    writeFileSync(path.join(dir, BASE_FILE), BASE);
    writeFileSync(path.join(dir, SERVICE_FILE), SERVICE);
    writeFileSync(path.join(dir, "wharf.limits.yaml"), preview.limitsOverride ?? "");
    writeFileSync(path.join(dir, ".env"), `GREETING=hello\nDB_PASSWORD=${SECRET}\n`);
    const cli = execFileSync("docker", ["compose", "--project-name", stack.name, "-f", BASE_FILE, "-f", SERVICE_FILE, "-f", "wharf.limits.yaml", "config"], {
      cwd: dir,
      env: childEnv({ DOCKER_HOST: `unix://${sandboxHost("h1").dockerSocket}` }),
      encoding: "utf8",
    });
    expect(cli).toContain(SECRET);
    expect(preview.merged).toBe(cli.replaceAll(SECRET, REDACTED));
    // The limits show in the merged result.
    for (const expected of ['memory: "67108864"', "cpus: 0.5", 'cpuset: "0"', "- SYS_NICE", "- NET_RAW", "hard: 2048"]) expect(preview.merged).toContain(expected);
  });

  it("reports compose's own schema errors with file and line, for drafts too", async () => {
    const stack = await createStack();
    const draft = await owner.caller.stack.previewDraft({
      stackId: stack.id,
      hostId: hosts.h1 ?? "",
      files: files(SERVICE.replace("    image:", "    imagee:")),
      secrets: [{ key: "DB_PASSWORD" }],
      env: [{ key: "GREETING", value: "hi" }],
    });
    expect(draft).toEqual({ ok: false, problem: { message: expect.stringMatching(/imagee/) as unknown, file: SERVICE_FILE, line: 6 } });
  });
});

describe("secrets and access", () => {
  it("never returns a secret value from any read", async () => {
    const stack = await createStack();
    await owner.caller.stack.saveRevision({ stackId: stack.id, files: files(), secrets: [{ key: "DB_PASSWORD" }, { key: "API_TOKEN", value: "tok-abcdef-123456" }] });
    const reads = JSON.stringify([
      await owner.caller.stack.list({}),
      await owner.caller.stack.byId({ stackId: stack.id }),
      await owner.caller.stack.revisions({ stackId: stack.id }),
      await owner.caller.stack.revision({ stackId: stack.id, number: 1 }),
      await owner.caller.stack.revision({ stackId: stack.id, number: 2 }),
      await owner.caller.stack.diff({ stackId: stack.id, from: 1, to: 2 }),
      await owner.caller.stack.preview({ stackId: stack.id, hostId: hosts.h1 ?? "" }),
      await owner.caller.audit.list({ limit: 100 }),
    ]);
    expect(reads).not.toContain(SECRET);
    expect(reads).not.toContain("tok-abcdef-123456");
    expect(reads).not.toContain("secretsEnc");
    expect(reads).toContain("API_TOKEN");
    const row = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId: stack.id, number: 2 } });
    expect(Buffer.from(row.secretsEnc ?? new Uint8Array()).toString("latin1")).not.toContain(SECRET);
  });

  it("viewers read stacks but cannot change them; deployers cannot edit files", async () => {
    const stack = await createStack();
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    const deployer = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    expect((await viewer.caller.stack.list({})).map((s) => s.id)).toContain(stack.id);
    await expectTrpcError(viewer.caller.stack.saveRevision({ stackId: stack.id, files: files() }), "FORBIDDEN", /viewer.*stack:write/);
    await expectTrpcError(viewer.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "FORBIDDEN", /viewer.*stack:deploy/);
    await expectTrpcError(deployer.caller.stack.saveRevision({ stackId: stack.id, files: files() }), "FORBIDDEN", /deployer.*stack:write/);
    await expectTrpcError(deployer.caller.stack.previewDraft({ stackId: stack.id, hostId: hosts.h1 ?? "", files: files() }), "FORBIDDEN", /stack:write/);
    const stranger = await createTestUser(deps);
    await expectTrpcError(stranger.caller.stack.byId({ stackId: stack.id }), "NOT_FOUND", /not found/);
    expect((await stranger.caller.deployment.list({ stackId: stack.id })).items).toEqual([]);
    expect((await stranger.caller.stack.list({})).length).toBe(0);
  });
});
