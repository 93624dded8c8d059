/**
 * A member of team A guessing team B's ids: through the tRPC caller, over
 * HTTP and over the server-sent event streams, every read and change of B's
 * hosts, keys, stacks, revisions, jobs, logs, invitations, members,
 * environments and audit trail is answered "not found" (or leaves B out of a
 * list). B's host is a real sandbox host, so a call that slipped through
 * would reach it.
 */
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { declaredProcedures } from "./permission-docs";
import { appRouter } from "./root";
import { addHosts, BASE, BASE_FILE } from "./test-support/stacks";
import { expectTrpcError, httpCall } from "./test-support/trpc";

let deps: WharfDeps;
let a: TestUser;
let b: TestUser;
const B = {} as {
  hostId: string;
  credentialId: string;
  stackId: string;
  deploymentId: string;
  environmentId: string;
  invitationId: string;
  memberId: string;
};

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  b = await createTestUser(deps);
  a = await createTestUser(deps);
  const hosts = await addHosts(b, ["h1"]);
  B.hostId = hosts.h1!;
  const host = await deps.db.host.findUniqueOrThrow({ where: { id: B.hostId }, select: { credentialId: true, environmentId: true } });
  B.credentialId = host.credentialId;
  B.environmentId = host.environmentId;
  const stack = await b.caller.stack.create({
    name: "secret-stack",
    targets: [{ hostId: B.hostId }],
    revision: { files: [{ path: BASE_FILE, content: BASE }], env: [{ key: "GREETING", value: "hi" }], secrets: [{ key: "DB_PASSWORD", value: "s3cret" }] },
  });
  B.stackId = stack.id;
  const revision = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId: stack.id }, select: { id: true } });
  // A finished job with output, written as the runner would (no run needed: A must never get this far).
  const deployment = await deps.db.deployment.create({
    data: {
      stackId: stack.id, hostId: B.hostId, revisionId: revision.id, action: "DEPLOY", status: "SUCCEEDED", requestedByLabel: b.email,
      logs: { create: { seq: 0, stream: "stdout", text: "B's job output", at: new Date() } },
    },
  });
  B.deploymentId = deployment.id;
  B.invitationId = (await b.caller.invitation.create({ role: "DEPLOYER" })).id;
  B.memberId = (await createTestUser(deps, { role: "VIEWER", teamId: b.teamId })).userId;
  await a.caller.environment.create({ name: "a-only" });
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

/** Every id field a procedure might read, all naming B's resources. */
function bInput(): Record<string, unknown> {
  return {
    hostId: B.hostId,
    hostIds: [B.hostId],
    credentialId: B.credentialId,
    stackId: B.stackId,
    deploymentId: B.deploymentId,
    environmentId: B.environmentId,
    invitationId: B.invitationId,
    userId: B.memberId,
    number: 1,
    from: 1,
    to: 1,
    path: "Dockerfile",
    targets: [{ hostId: B.hostId, overlay: null }],
  };
}

describe("team isolation through tRPC", () => {
  it("every procedure acting on a host, key, stack, job or environment answers NOT_FOUND for B's ids", async () => {
    const scoped = declaredProcedures().filter((p) => p.meta.resource && p.meta.resource !== "team");
    expect(scoped.length).toBeGreaterThan(25);
    for (const procedure of scoped) {
      const call = procedure.path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], a.caller) as (input: unknown) => Promise<unknown>;
      await expectTrpcError(call(bInput()), "NOT_FOUND", /not found/);
    }
  });

  it("team-wide changes cannot reach B's invitations, members or environments", async () => {
    await expectTrpcError(a.caller.invitation.revoke({ invitationId: B.invitationId }), "NOT_FOUND", /invitation/);
    await expectTrpcError(a.caller.team.setRole({ userId: B.memberId, role: "ADMIN" }), "NOT_FOUND", /member/);
    await expectTrpcError(a.caller.team.removeMember({ userId: B.memberId }), "NOT_FOUND", /member/);
    await expectTrpcError(a.caller.team.transferOwnership({ userId: b.userId }), "NOT_FOUND", /member/);
    await expectTrpcError(a.caller.environment.rename({ environmentId: B.environmentId, name: "mine" }), "NOT_FOUND", /environment/);
    await expectTrpcError(a.caller.environment.remove({ environmentId: B.environmentId }), "NOT_FOUND", /environment/);
    await expectTrpcError(a.caller.team.setRole({ userId: a.userId, role: "DEPLOYER", environmentIds: [B.environmentId] }), "NOT_FOUND", /environment/);
    // Nothing of B changed.
    expect(await deps.db.invitation.findUniqueOrThrow({ where: { id: B.invitationId }, select: { revokedAt: true } })).toEqual({ revokedAt: null });
    expect(await deps.db.membership.count({ where: { teamId: b.teamId } })).toBe(2);
    expect(await deps.db.environment.findUniqueOrThrow({ where: { id: B.environmentId }, select: { name: true } })).toEqual({ name: "default" });
  });

  it("lists and filters show only A's own team", async () => {
    expect(await a.caller.host.list()).toEqual([]);
    expect(await a.caller.credential.list()).toEqual([]);
    expect(await a.caller.stack.list({ hostId: B.hostId })).toEqual([]);
    expect(await a.caller.stack.list()).toEqual([]);
    expect((await a.caller.deployment.list({ stackId: B.stackId })).items).toEqual([]);
    expect((await a.caller.deployment.list({ hostId: B.hostId })).items).toEqual([]);
    expect(await a.caller.invitation.pending()).toEqual([]);
    expect((await a.caller.team.members()).map((m) => m.id)).toEqual([a.userId]);
    expect((await a.caller.environment.list()).map((e) => e.id)).not.toContain(B.environmentId);
    const audit = await a.caller.audit.list({});
    expect(audit.items.map((event) => [event.action, event.actorLabel])).toEqual([["environment.create", a.email]]);
    expect((await a.caller.team.list()).map((t) => t.id)).toEqual([a.teamId]);
  });

  it("naming B as the active team is refused", async () => {
    const caller = appRouter.createCaller({ deps, session: { userId: a.userId }, requestedTeamId: b.teamId, ip: "127.0.0.1" });
    await expectTrpcError(caller.host.list(), "FORBIDDEN", /not a member of that team/);
    await expectTrpcError(caller.audit.list({}), "FORBIDDEN", /not a member of that team/);
  });
});

function http(path: string, init: { method: "GET" | "POST"; input: unknown; team?: string; stream?: boolean }) {
  return httpCall(deps, a.userId, path, init.stream ? "subscription" : init.method === "POST" ? "mutation" : "query", init.input, init.team ?? null);
}

describe("team isolation over HTTP and server-sent events", () => {
  it("queries and mutations naming B's resources get 404 and none of B's data", async () => {
    for (const [path, method, input] of [
      ["host.byId", "GET", { hostId: B.hostId }],
      ["stack.revision", "GET", { stackId: B.stackId, number: 1 }],
      ["deployment.byId", "GET", { deploymentId: B.deploymentId }],
      ["host.remove", "POST", { hostId: B.hostId }],
      ["credential.remove", "POST", { credentialId: B.credentialId }],
    ] as const) {
      const { status, body } = await http(path, { method, input });
      expect(status, path).toBe(404);
      expect(body).not.toMatch(/secret-stack|s3cret|B's job output|h1/);
    }
  });

  it("the active team header naming B is refused with 403", async () => {
    const { status } = await http("host.list", { method: "GET", input: undefined, team: b.teamId });
    expect(status).toBe(403);
  });

  it("log and job output streams of B end with NOT_FOUND before sending anything", async () => {
    for (const [path, input] of [
      ["deployment.output", { deploymentId: B.deploymentId }],
      ["stack.logs", { stackId: B.stackId, hostId: B.hostId, follow: false }],
    ] as const) {
      const { body } = await http(path, { method: "GET", input, stream: true });
      expect(body, path).toMatch(/NOT_FOUND/);
      expect(body).not.toMatch(/B's job output|web \d|s3cret/);
    }
  });
});
