import { TRPCError } from "@trpc/server";
import { createWharfDeps, type WharfDeps } from "@wharf/api";
import { callerFor, closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { addHosts, sandboxHost } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// Two control-plane processes on one database: `deps` makes the changes, `other` serves the calls from its cache.
let deps: WharfDeps;
let other: WharfDeps;
let owner: TestUser;

beforeAll(() => {
  deps = createTestDeps();
  // The same master key, as replicas share it.
  other = createWharfDeps(deps.config);
});

afterAll(async () => {
  await closeWharfDeps(other);
  await closeWharfDeps(deps);
});

beforeEach(async () => {
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  // Listening, so the calls below are answered from its cache.
  await other.access.settled();
});

/** A host row that no call here connects to (byId reads only the database). */
async function hostRow(teamId: string): Promise<string> {
  const credential = await deps.db.sshCredential.create({
    data: { teamId, name: "cache", kind: "PASTED", publicKey: "", fingerprint: "cache", privateKeyEnc: deps.secrets.seal("unused") },
  });
  const environment = await deps.db.environment.findFirstOrThrow({ where: { teamId } });
  const host = await deps.db.host.create({
    data: { teamId, environmentId: environment.id, name: "cached", address: "127.0.0.1", port: 9, username: "nobody", credentialId: credential.id, hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: "SHA256:cache", hostKey: "" },
  });
  return host.id;
}

describe("cached memberships and hosts", () => {
  it("refuses the next call of a member whose role was lowered or removed, in every process", async () => {
    const hostId = await hostRow(owner.teamId);
    const member = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    const elsewhere = callerFor(other, member.userId);
    // Read (and cached) by the other process first.
    await elsewhere.host.byId({ hostId });
    await elsewhere.credential.list();

    await deps.db.membership.update({ where: { userId_teamId: { userId: member.userId, teamId: owner.teamId } }, data: { role: "VIEWER" } });
    await other.access.settled();
    await expectTrpcError(elsewhere.credential.list(), "FORBIDDEN", /viewer/);
    await elsewhere.host.byId({ hostId });

    await deps.db.membership.delete({ where: { userId_teamId: { userId: member.userId, teamId: owner.teamId } } });
    await other.access.settled();
    await expectTrpcError(elsewhere.host.byId({ hostId }), "FORBIDDEN", /not a member/);
  });

  it("refuses an environment-scoped member's next call on a host moved out of their environments, in every process", async () => {
    const hostId = await hostRow(owner.teamId);
    const home = await deps.db.environment.findFirstOrThrow({ where: { teamId: owner.teamId } });
    const away = await deps.db.environment.create({ data: { teamId: owner.teamId, name: "away" } });
    const member = await createTestUser(deps, { role: "DEPLOYER", teamId: owner.teamId });
    const membership = { userId: member.userId, teamId: owner.teamId };
    await deps.db.membership.update({ where: { userId_teamId: membership }, data: { environmentScoped: true, environments: { create: { environmentId: home.id } } } });
    const elsewhere = callerFor(other, member.userId);
    // Allowed: the call goes on to the host, which has no agent (its row, and so its environment, is now cached).
    const allowed = await elsewhere.container.logs({ hostId, containerId: "web" }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(allowed).toBeInstanceOf(TRPCError);
    expect((allowed as TRPCError).code).not.toBe("FORBIDDEN");

    await deps.db.host.update({ where: { id: hostId }, data: { environmentId: away.id } });
    await other.access.settled();
    await expectTrpcError(elsewhere.container.logs({ hostId, containerId: "web" }), "FORBIDDEN", /viewer rights there/);
  });

  it("reaches an edited host with its new settings, not over the connection kept for the old ones", async () => {
    const h1 = sandboxHost("h1");
    const { h1: hostId = "" } = await addHosts(owner, ["h1"]);
    const elsewhere = callerFor(other, owner.userId);
    // Both processes hold a verified agent connection (and the host row).
    await owner.caller.host.containers({ hostId });
    await elsewhere.host.containers({ hostId });

    // Nothing listens on port 1: only a new connection, made with the edited row, fails.
    await deps.db.host.update({ where: { id: hostId }, data: { port: 1 } });
    await Promise.all([deps.access.settled(), other.access.settled()]);
    await expectTrpcError(owner.caller.host.containers({ hostId }), "BAD_GATEWAY", /refused/i);
    await expectTrpcError(elsewhere.host.containers({ hostId }), "BAD_GATEWAY", /refused/i);

    await deps.db.host.update({ where: { id: hostId }, data: { port: h1.port } });
    await other.access.settled();
    expect(Array.isArray(await elsewhere.host.containers({ hostId }))).toBe(true);
  });
});
