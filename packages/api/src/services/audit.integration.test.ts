import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { Redactor } from "../lib/redact";
import { createCaller } from "../root";
import { expectTrpcError } from "../test-support/trpc";
import { recordAudit } from "./audit";

let deps: WharfDeps;

beforeAll(() => {
  deps = createTestDeps();
});
afterAll(async () => {
  await closeWharfDeps(deps);
});
beforeEach(async () => {
  await resetDatabase(deps);
});

/** Whatever a statement fails with, as text (Postgres' message travels in the driver's error). */
async function failureOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!error) throw new Error("expected the statement to fail");
  return error instanceof Error ? `${error.message} ${error.cause instanceof Error ? error.cause.message : ""}` : JSON.stringify(error);
}

describe("the audit trail is append-only in the database", () => {
  it("refuses UPDATE and DELETE sent as raw SQL, and keeps the row as written", async () => {
    const owner = await createTestUser(deps);
    await recordAudit(deps.db, { teamId: owner.teamId, actor: { id: owner.userId, label: owner.email }, action: "host.create", targetType: "host", targetId: "h1", summary: "Added host h1" });
    expect(await failureOf(deps.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET summary = 'nothing happened'`))).toMatch(/append-only: UPDATE refused/);
    expect(await failureOf(deps.db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`))).toMatch(/append-only: DELETE refused/);
    expect(await failureOf(deps.db.auditEvent.deleteMany({}))).toMatch(/append-only/);
    const rows = await deps.db.auditEvent.findMany();
    expect(rows.map((row) => [row.summary, row.actorLabel, row.source])).toEqual([["Added host h1", owner.email, "BROWSER"]]);
  });

  it("outlives the user and the team it names: nothing cascades into it", async () => {
    const owner = await createTestUser(deps);
    const user = await deps.db.user.findUniqueOrThrow({ where: { id: owner.userId } });
    await recordAudit(deps.db, { teamId: owner.teamId, actor: { id: owner.userId, label: owner.email, name: user.name }, action: "stack.create", targetType: "stack", summary: "Created stack web" });
    await deps.db.user.delete({ where: { id: owner.userId } });
    await deps.db.team.delete({ where: { id: owner.teamId } });
    const [row] = await deps.db.auditEvent.findMany();
    expect(row).toMatchObject({ teamId: owner.teamId, actorId: owner.userId, actorLabel: owner.email, actorName: user.name, summary: "Created stack web" });
  });
});

describe("refused actions", () => {
  it("records who was refused what, from which address", async () => {
    const owner = await createTestUser(deps);
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expectTrpcError(viewer.caller.credential.generate({ name: "sneaky" }), "FORBIDDEN", /viewer.*credential:write/);
    const [event] = (await owner.caller.audit.list({ action: "access.refused" })).items;
    expect(event).toMatchObject({
      actorId: viewer.userId,
      actorLabel: viewer.email,
      source: "BROWSER",
      address: "127.0.0.1",
      targetType: "procedure",
      targetId: "credential.generate",
      data: { permission: "credential:write", role: "VIEWER", procedure: "credential.generate" },
    });
    expect(await deps.db.sshCredential.count()).toBe(0);
  });
});

describe("audit page queries and CSV export", () => {
  async function twoTeams() {
    const alice = await createTestUser(deps);
    const bob = await createTestUser(deps);
    const at = (iso: string) => new Date(iso);
    const write = (teamId: string, actor: { id: string; label: string }, action: string, summary: string, createdAt: Date) =>
      deps.db.auditEvent.create({ data: { teamId, actorId: actor.id, actorLabel: actor.label, source: "BROWSER", address: "198.51.100.4", action, targetType: "stack", targetId: "s1", summary, createdAt } });
    await write(alice.teamId, { id: alice.userId, label: alice.email }, "stack.create", "Created stack web", at("2026-11-01T10:00:00Z"));
    await write(alice.teamId, { id: alice.userId, label: alice.email }, "deployment.start", 'Deployed web, "quoted", with a comma', at("2026-11-02T10:00:00Z"));
    await write(alice.teamId, { id: alice.userId, label: alice.email }, "stack.update", "=HYPERLINK(\"http://evil\")", at("2026-11-03T10:00:00Z"));
    await write(bob.teamId, { id: bob.userId, label: bob.email }, "stack.create", "Created stack bobs-secret-stack", at("2026-11-02T12:00:00Z"));
    return { alice, bob };
  }

  it("filters by actor, action prefix, time range and words, within the caller's team", async () => {
    const { alice, bob } = await twoTeams();
    const summaries = async (filter: Parameters<typeof alice.caller.audit.list>[0]) => (await alice.caller.audit.list(filter)).items.map((item) => item.summary);
    expect(await summaries({})).toHaveLength(3);
    expect(await summaries({ action: "deployment." })).toEqual(['Deployed web, "quoted", with a comma']);
    expect(await summaries({ from: new Date("2026-11-01T12:00:00Z"), to: new Date("2026-11-02T23:00:00Z") })).toEqual(['Deployed web, "quoted", with a comma']);
    expect(await summaries({ search: "created WEB" })).toEqual(["Created stack web"]);
    expect(await summaries({ actor: bob.email })).toEqual([]);
    expect(await summaries({ search: "bobs-secret-stack" })).toEqual([]);
    const first = await alice.caller.audit.list({ limit: 2 });
    const second = await alice.caller.audit.list({ limit: 2, cursor: first.nextCursor ?? "" });
    expect([...first.items, ...second.items].map((item) => item.action)).toEqual(["stack.update", "deployment.start", "stack.create"]);
    expect(second.nextCursor).toBeNull();
  });

  it("exports the filtered rows as CSV, escaped, and only the caller's team", async () => {
    const { alice, bob } = await twoTeams();
    const csv = await alice.caller.audit.exportCsv({});
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("time,actor,actor_name,source,address,action,target_type,target_id,summary,changes,data");
    expect(lines.slice(1)).toEqual([
      `2026-11-03T10:00:00.000Z,${alice.email},,BROWSER,198.51.100.4,stack.update,stack,s1,"'=HYPERLINK(""http://evil"")",,`,
      `2026-11-02T10:00:00.000Z,${alice.email},,BROWSER,198.51.100.4,deployment.start,stack,s1,"Deployed web, ""quoted"", with a comma",,`,
      `2026-11-01T10:00:00.000Z,${alice.email},,BROWSER,198.51.100.4,stack.create,stack,s1,Created stack web,,`,
    ]);
    expect(csv).not.toContain("bobs-secret-stack");
    expect(await bob.caller.audit.exportCsv({ action: "stack.create" })).toContain("bobs-secret-stack");
    // Naming another team does not reach it: the member check comes first.
    const asAliceInBobsTeam = createCaller({ deps, session: { userId: alice.userId }, requestedTeamId: bob.teamId, ip: "127.0.0.1" });
    await expectTrpcError(asAliceInBobsTeam.audit.exportCsv({}), "FORBIDDEN", /not a member of that team/);
  });

  it("redacts secret values from what changed", async () => {
    const owner = await createTestUser(deps);
    await recordAudit(deps.db, {
      teamId: owner.teamId,
      actor: { id: owner.userId, label: owner.email },
      action: "stack.update",
      targetType: "stack",
      summary: "Changed variables",
      changes: { DB_PASSWORD: { from: "hunter2-old-value", to: "hunter2-new-value" } },
      redactor: new Redactor(["hunter2-old-value", "hunter2-new-value"]),
    });
    const csv = await owner.caller.audit.exportCsv({});
    expect(csv).not.toContain("hunter2");
    expect((await owner.caller.audit.list({})).items[0]?.changes).toEqual({ DB_PASSWORD: { from: "[secret]", to: "[secret]" } });
  });
});
