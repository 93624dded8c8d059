import { readFileSync } from "node:fs";

import { TRPCError } from "@trpc/server";
import type { WharfDeps } from "@wharf/api";
import { callerFor, closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { dockerCli, loadSandbox, rotateHostKey, type Sandbox } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let sandbox: Sandbox;
let clientKey: string;
let owner: TestUser;

function hostOf(name: string) {
  const host = sandbox.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`sandbox host ${name} missing`);
  return host;
}

async function addHost(user: TestUser, overrides: Partial<{ name: string; address: string; port: number; username: string; privateKey: string; fingerprint: string }> = {}) {
  const h1 = hostOf("h1");
  return user.caller.host.create({
    name: overrides.name ?? "h1",
    address: overrides.address ?? h1.address,
    port: overrides.port ?? h1.port,
    username: overrides.username ?? h1.users.docker,
    credential: { type: "pasted", privateKey: overrides.privateKey ?? clientKey },
    hostKeyFingerprint: overrides.fingerprint ?? h1.hostKeyFingerprint,
  });
}

async function hostCount(): Promise<number> {
  return deps.db.host.count();
}

beforeAll(() => {
  deps = createTestDeps();
  sandbox = loadSandbox();
  clientKey = readFileSync(sandbox.clientKey, "utf8");
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

beforeEach(async () => {
  await resetDatabase(deps);
  owner = await createTestUser(deps);
});

describe("adding a host over SSH", () => {
  it("shows the host key fingerprint that ssh-keygen reports", async () => {
    const h1 = hostOf("h1");
    const scanned = await owner.caller.host.scanHostKey({ address: h1.address, port: h1.port });
    expect(scanned.fingerprint).toBe(h1.hostKeyFingerprint);
    expect(scanned.algorithm).toMatch(/ed25519/i);
  });

  it("installs the agent, pins the key and shows facts and what runs there", async () => {
    const created = await addHost(owner);
    expect(created.name).toBe("h1");

    const host = await owner.caller.host.byId({ hostId: created.id });
    expect(host.status).toBe("ONLINE");
    expect(host.hostKeyFingerprint).toBe(hostOf("h1").hostKeyFingerprint);
    expect(host.agentVersion).toBe(deps.agents.bundle.version);
    expect(host.facts?.docker.version).toMatch(/^\d+\.\d+/);
    expect(host.facts?.compose.flavor).toBe("v2");
    expect(host.facts?.cpus).toBeGreaterThan(0);
    expect(host.facts?.capabilities.realtimeCpu.available).toBe(true);
    // This machine's dockerd has a hard RLIMIT_RTPRIO of 0: the agent must see it.
    expect(host.facts?.capabilities.rtprio.available).toBe(false);
    expect(host.facts?.capabilities.rtprio.detail).toMatch(/RLIMIT_RTPRIO is 0/);
    expect(host.facts?.capabilities.nvidiaRuntime.available).toBe(false);

    const containers = await owner.caller.host.containers({ hostId: created.id });
    expect(containers.map((c) => c.name)).toContain("wharf-sample");
    const images = await owner.caller.host.images({ hostId: created.id });
    expect(images.flatMap((i) => i.repoTags)).toContain("wharf-test/busybox:latest");
    const networks = await owner.caller.host.networks({ hostId: created.id });
    expect(networks.map((n) => n.name)).toEqual(expect.arrayContaining(["bridge", "host", "none"]));
    const volumes = await owner.caller.host.volumes({ hostId: created.id });
    expect(Array.isArray(volumes)).toBe(true);

    const audit = await owner.caller.audit.list({ limit: 10 });
    expect(audit.items.map((e) => e.action)).toContain("host.create");
  });

  it("stores the key encrypted and never returns it", async () => {
    const created = await addHost(owner);
    const row = await deps.db.sshCredential.findFirstOrThrow({ where: { hosts: { some: { id: created.id } } } });
    expect(Buffer.from(row.privateKeyEnc).toString("utf8")).not.toContain("PRIVATE KEY");
    const everything = JSON.stringify([
      await owner.caller.host.list(),
      await owner.caller.host.byId({ hostId: created.id }),
      await owner.caller.credential.list(),
    ]);
    expect(everything).not.toContain("PRIVATE KEY");
    expect(everything).not.toContain("privateKeyEnc");
  });

  it("tests each layer of the connection", async () => {
    const created = await addHost(owner);
    const result = await owner.caller.host.testConnection({ hostId: created.id });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual(["ssh", "agent", "docker"]);
  });

  it("restarts the agent when its socket is gone, on Test connection", async () => {
    const created = await addHost(owner);
    const row = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    const target = { hostId: "probe", address: row.address, port: row.port, username: row.username, privateKey: clientKey, hostKeyFingerprint: row.hostKeyFingerprint };
    await deps.ssh.exec(target, [`${row.agentDir}/bin/wharf-agent`, "stop", "--socket", `${row.agentDir}/agent.sock`]);
    await deps.ssh.exec(target, ["rm", "-f", `${row.agentDir}/agent.sock`]);
    await deps.ssh.close("probe");

    expect((await owner.caller.host.testConnection({ hostId: created.id })).ok).toBe(true);
    const containers = await owner.caller.host.containers({ hostId: created.id });
    expect(containers.map((c) => c.name)).toContain("wharf-sample");
    const audit = await owner.caller.audit.list({ limit: 10 });
    expect(audit.items.find((e) => e.action === "host.agent")?.summary).toMatch(/started/);
  });
});

describe("bad input leaves no half-added host", () => {
  it("refuses a closed port", async () => {
    const error = await expectTrpcError(addHost(owner, { address: "127.0.0.1", port: 1 }), "BAD_GATEWAY", /refused/i);
    expect(error.cause).toMatchObject({ reason: "CONNECTION_REFUSED" });
    expect(await hostCount()).toBe(0);
  });

  it("reports an unreachable address", async () => {
    // An unused address inside the sandbox's own /24: nothing answers there.
    const unused = hostOf("h1").address.replace(/\.\d+$/, ".77");
    const error = await owner.caller.host.scanHostKey({ address: unused, port: 22 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect(["BAD_GATEWAY", "GATEWAY_TIMEOUT"]).toContain((error as TRPCError).code);
    expect((error as TRPCError).message).toMatch(/unreachable|timed out|did not answer/i);
    expect(await hostCount()).toBe(0);
  });

  it("refuses a key the host does not accept", async () => {
    const other = await owner.caller.credential.generate({ name: "not authorized" });
    const h1 = hostOf("h1");
    const error = await expectTrpcError(
      owner.caller.host.create({
        name: "h1",
        address: h1.address,
        port: h1.port,
        username: h1.users.docker,
        credential: { type: "existing", credentialId: other.id },
        hostKeyFingerprint: h1.hostKeyFingerprint,
      }),
      "PRECONDITION_FAILED",
      /authentication|rejected|key/i,
    );
    expect(error.cause).toMatchObject({ reason: "AUTH_FAILED" });
    expect(await hostCount()).toBe(0);
  });

  it("refuses a host key that differs from the confirmed one", async () => {
    const wrong = "SHA256:" + "A".repeat(43);
    const error = await expectTrpcError(addHost(owner, { fingerprint: wrong }), "PRECONDITION_FAILED", /host key .*changed/i);
    expect(error.cause).toMatchObject({ reason: "HOST_KEY_MISMATCH" });
    expect(await hostCount()).toBe(0);
  });

  it("explains a user without Docker access", async () => {
    const error = await expectTrpcError(addHost(owner, { username: hostOf("h1").users.nodocker }), "PRECONDITION_FAILED", /cannot access the Docker socket/i);
    expect(error.cause).toMatchObject({ reason: "DOCKER_PERMISSION_DENIED" });
    expect(await hostCount()).toBe(0);
  });

  it("explains a host without Docker", async () => {
    const error = await expectTrpcError(addHost(owner, { username: hostOf("h1").users.nodaemon }), "PRECONDITION_FAILED", /Docker is not running or not installed/i);
    expect(error.cause).toMatchObject({ reason: "DOCKER_UNAVAILABLE" });
    expect(await hostCount()).toBe(0);
  });

  it("names the invalid fields", async () => {
    const error = await expectTrpcError(addHost(owner, { name: "Not A DNS Name!", port: 70000 }), "BAD_REQUEST", /.+/);
    const shape = error.cause as { issues?: { path: (string | number)[] }[] } | undefined;
    expect(shape?.issues?.map((i) => i.path[0])).toEqual(expect.arrayContaining(["name", "port"]));
    expect(await hostCount()).toBe(0);
  });

  it("refuses an injection attempt in the user name before it reaches the host", async () => {
    await expectTrpcError(addHost(owner, { username: "root; touch /tmp/pwned" }), "BAD_REQUEST", /.+/);
    expect(await hostCount()).toBe(0);
  });

  it("refuses a duplicate name", async () => {
    await addHost(owner);
    await expectTrpcError(addHost(owner), "CONFLICT", /already exists/);
    expect(await hostCount()).toBe(1);
  });
});

describe("a pinned host key that changes later", () => {
  it("is refused and the host is flagged, never silently accepted", async () => {
    const h2 = hostOf("h2");
    const created = await owner.caller.host.create({
      name: "h2",
      address: h2.address,
      port: h2.port,
      username: h2.users.docker,
      credential: { type: "pasted", privateKey: clientKey },
      hostKeyFingerprint: h2.hostKeyFingerprint,
    });
    await deps.ssh.closeAll();
    deps.agents.dropAll();
    rotateHostKey("h2");

    const result = await owner.caller.host.testConnection({ hostId: created.id });
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ name: "ssh", ok: false });
    expect(result.steps[0]?.detail).toMatch(/host key .*changed/i);
    await owner.caller.host.refresh({ hostId: created.id });
    const host = await owner.caller.host.byId({ hostId: created.id });
    expect(host.status).toBe("ERROR");
    expect(host.hostKeyFingerprint).toBe(h2.hostKeyFingerprint);
  });
});

describe("access control", () => {
  it("requires a session", async () => {
    await expectTrpcError(callerFor(deps, null).host.list(), "UNAUTHORIZED", /sign in/i);
  });

  it("lets viewers read but not add hosts", async () => {
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expect(viewer.caller.host.list()).resolves.toEqual([]);
    await expectTrpcError(addHost(viewer), "FORBIDDEN", /viewer/i);
  });

  it("hides other teams' hosts", async () => {
    const created = await addHost(owner);
    const stranger = await createTestUser(deps);
    await expectTrpcError(stranger.caller.host.byId({ hostId: created.id }), "NOT_FOUND", /not found/i);
    expect(await stranger.caller.host.list()).toEqual([]);
  });
});

describe("docker CLI check of the sandbox", () => {
  it("sees the sample container the dashboard lists", () => {
    expect(dockerCli(hostOf("h1"), ["ps", "--format", "{{.Names}}"])).toContain("wharf-sample");
  });
});
