/**
 * Every procedure x every role x a resource inside / outside an
 * environment-scoped grant, against the declared table (ROLE_PERMISSIONS and
 * each procedure's meta). Refusals go through the real procedure, by the
 * caller and over HTTP (so the middleware is proven to run for each one, and
 * a refused call never reaches its body); allowed calls go through the same
 * `authorize` the middleware calls, so no host is ever contacted.
 */
import type { WharfDeps } from "@wharf/api";
import type { Role } from "@wharf/db";
import { callerFor, closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { declaredProcedures } from "./permission-docs";
import { roleCan, ROLES } from "./permissions";
import type { ResourceKind } from "./services/access";
import { expectTrpcError, httpCall } from "./test-support/trpc";
import { authorize } from "./trpc";

type Env = "staging" | "production";
const ENVS: Env[] = ["staging", "production"];
const ENVIRONMENT_KINDS: ResourceKind[] = ["environment", "host", "stack", "deployment", "approval"];

let deps: WharfDeps;
let owner: TestUser;
const ids = {} as Record<Env, { environmentId: string; hostId: string; stackId: string; deploymentId: string; requestId: string }>;
let credentialId: string;

interface Member {
  label: string;
  userId: string;
  role: Role;
  /** Granted only in staging. */
  scoped: boolean;
}
const members: Member[] = [];

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  const teamId = owner.teamId;
  credentialId = (
    await deps.db.sshCredential.create({
      data: { teamId, name: "matrix", kind: "PASTED", publicKey: "", fingerprint: "matrix", privateKeyEnc: deps.secrets.seal("unused") },
    })
  ).id;
  for (const env of ENVS) {
    const environment = await deps.db.environment.create({ data: { teamId, name: env } });
    // Never contacted: refused calls stop in the middleware, allowed ones are only authorized.
    const host = await deps.db.host.create({
      data: {
        teamId, environmentId: environment.id, name: `${env}-host`, address: "127.0.0.1", port: 9, username: "nobody", credentialId,
        hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: "SHA256:matrix", hostKey: "", agentDir: "/nonexistent",
      },
    });
    const stack = await deps.db.stack.create({ data: { teamId, name: `${env}-stack`, targets: { create: { hostId: host.id } } } });
    const revision = await deps.db.stackRevision.create({
      data: { stackId: stack.id, number: 1, message: "", authorLabel: "matrix", files: [], env: [], secretNames: [], limits: {} },
    });
    const deployment = await deps.db.deployment.create({
      data: { stackId: stack.id, hostId: host.id, revisionId: revision.id, action: "DEPLOY", status: "SUCCEEDED", requestedByLabel: "matrix" },
    });
    const request = await deps.db.approvalRequest.create({
      data: {
        teamId, stackId: stack.id, environmentIds: [environment.id], action: "DEPLOY", input: {}, diff: {}, requiredApprovals: 1,
        requestedByLabel: "matrix", expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    ids[env] = { environmentId: environment.id, hostId: host.id, stackId: stack.id, deploymentId: deployment.id, requestId: request.id };
  }
  for (const role of ROLES) {
    const user = role === "OWNER" ? owner : await createTestUser(deps, { role, teamId });
    members.push({ label: `${role.toLowerCase()} (team-wide)`, userId: user.userId, role, scoped: false });
    if (role === "OWNER") continue; // the owner role is always team-wide
    const scopedUser = await createTestUser(deps, { role, teamId });
    await deps.db.membership.update({
      where: { userId_teamId: { userId: scopedUser.userId, teamId } },
      data: { environmentScoped: true, environments: { create: { environmentId: ids.staging.environmentId } } },
    });
    members.push({ label: `${role.toLowerCase()} (staging only)`, userId: scopedUser.userId, role, scoped: true });
  }
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

/** An input naming the declared resource in that environment. */
function inputFor(kind: ResourceKind, env: Env): Record<string, unknown> {
  const refs = ids[env];
  switch (kind) {
    case "team":
      return {};
    case "credential":
      return { credentialId };
    case "environment":
      return { environmentId: refs.environmentId };
    case "host":
      return { hostId: refs.hostId };
    case "stack":
      return { stackId: refs.stackId, targets: [{ hostId: refs.hostId }] };
    case "deployment":
      return { deploymentId: refs.deploymentId };
    case "approval":
      return { requestId: refs.requestId };
  }
}

/** The declared table: the member's role applies where their grant covers the resource, viewer rights elsewhere. */
function expectedRole(member: Member, kind: ResourceKind, env: Env): Role {
  if (!member.scoped) return member.role;
  return ENVIRONMENT_KINDS.includes(kind) && env === "staging" ? member.role : "VIEWER";
}

function procedureOf(caller: ReturnType<typeof callerFor>, path: string): (input: unknown) => Promise<unknown> {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
}

describe("permission matrix", () => {
  const guarded = declaredProcedures().filter((p) => p.meta.permission);

  it("covers every guarded procedure, each with a resource", () => {
    expect(guarded.length).toBeGreaterThan(40);
    for (const p of guarded) expect(p.meta.resource, p.path).toBeDefined();
  });

  for (const procedure of guarded) {
    it(`${procedure.path} (${procedure.meta.permission} on ${procedure.meta.resource})`, async () => {
      const permission = procedure.meta.permission!;
      const kind = procedure.meta.resource!;
      const outcomes: string[] = [];
      for (const member of members) {
        for (const env of ENVS) {
          const input = inputFor(kind, env);
          const role = expectedRole(member, kind, env);
          const allowed = roleCan(role, permission);
          if (allowed) {
            const team = await authorize(deps, member.userId, null, procedure.meta, input);
            expect(team.role, `${member.label} in ${env}`).toBe(role);
          } else {
            await expectTrpcError(procedureOf(callerFor(deps, member.userId), procedure.path)(input), "FORBIDDEN", /does not allow/);
            // The same refusal over HTTP, as the browser and API clients meet it (streams end with the error event).
            const { status, body } = await httpCall(deps, member.userId, procedure.path, procedure.type, input);
            if (procedure.type === "subscription") expect(body, `${member.label} in ${env}`).toMatch(/FORBIDDEN/);
            else expect(status, `${member.label} in ${env}`).toBe(403);
          }
          outcomes.push(`${member.label} ${env}: ${allowed ? "allow" : "deny"}`);
        }
      }
      expect(outcomes).toHaveLength(members.length * ENVS.length);
    });
  }
});

describe("environment scope on stacks spanning environments", () => {
  it("a staging-only deployer deploys a two-environment stack to its staging host only", async () => {
    const mixed = await deps.db.stack.create({
      data: { teamId: owner.teamId, name: "mixed", targets: { create: [{ hostId: ids.staging.hostId }, { hostId: ids.production.hostId }] } },
    });
    const deployer = members.find((m) => m.role === "DEPLOYER" && m.scoped)!;
    const meta = { permission: "stack:deploy", resource: "stack" } as const;
    await expect(authorize(deps, deployer.userId, null, meta, { stackId: mixed.id, hostIds: [ids.staging.hostId] })).resolves.toMatchObject({ role: "DEPLOYER" });
    await expectTrpcError(callerFor(deps, deployer.userId).deployment.start({ stackId: mixed.id, action: "DEPLOY" }), "FORBIDDEN", /viewer rights/);
    await expectTrpcError(
      callerFor(deps, deployer.userId).deployment.start({ stackId: mixed.id, action: "DEPLOY", hostIds: [ids.staging.hostId, ids.production.hostId] }),
      "FORBIDDEN",
      /in this environment/,
    );
  });

  it("a staging-only admin cannot move a host out to production, nor edit a stack to target it", async () => {
    const admin = members.find((m) => m.role === "ADMIN" && m.scoped)!;
    const caller = callerFor(deps, admin.userId);
    await expectTrpcError(caller.host.setEnvironment({ hostId: ids.staging.hostId, environmentId: ids.production.environmentId }), "FORBIDDEN", /environment/);
    await expectTrpcError(
      caller.stack.update({ stackId: ids.staging.stackId, targets: [{ hostId: ids.production.hostId, overlay: null }] }),
      "FORBIDDEN",
      /environment/,
    );
  });
});
