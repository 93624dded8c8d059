import { readFileSync } from "node:fs";

import type { WharfDeps } from "@wharf/api";
import type { SshTarget } from "@wharf/ssh";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { loadSandbox, type Sandbox } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { AgentConnector, agentPaths } from "../services/agents";
import { callAgent } from "../services/hosts";
import { startHostMonitor } from "../services/monitor";
import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;
let sandbox: Sandbox;
let clientKey: string;
let owner: TestUser;

function h1() {
  const host = sandbox.hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  return host;
}

async function addHost(name = "h1") {
  return owner.caller.host.create({
    name,
    address: h1().address,
    port: h1().port,
    username: h1().users.docker,
    credential: { type: "pasted", privateKey: clientKey },
    hostKeyFingerprint: h1().hostKeyFingerprint,
  });
}

/** A connection of its own, so what the test does on the host never warms the connections under test. */
function probe(username = h1().users.docker): SshTarget {
  return { hostId: `probe-${username}`, address: h1().address, port: h1().port, username, privateKey: clientKey, hostKeyFingerprint: h1().hostKeyFingerprint };
}

async function onHost(argv: string[], username?: string) {
  return deps.ssh.exec(probe(username), argv);
}

async function agentRuns(agentDir: string): Promise<boolean> {
  return (await onHost(["pgrep", "-f", `${agentDir}/bin/wharf-agent serve`])).code === 0;
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

describe("an agent killed with SIGKILL", () => {
  it("is restarted by the next query, which answers in the same call", async () => {
    const created = await addHost();
    // The shared hosts may run an agent of this version from another build: a query restarts only this build's executable.
    await owner.caller.host.reinstallAgent({ hostId: created.id });
    const { agentDir } = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    // Warm: the next call would reuse this kept-alive stream to the agent.
    await owner.caller.host.containers({ hostId: created.id });
    expect((await onHost(["pkill", "-9", "-f", `${agentDir}/bin/wharf-agent serve`])).code).toBe(0);

    const containers = await owner.caller.host.containers({ hostId: created.id });
    expect(containers.map((c) => c.name)).toContain("wharf-sample");
    expect(await agentRuns(agentDir)).toBe(true);
    const audit = await owner.caller.audit.list({ limit: 10 });
    expect(audit.items.find((e) => e.action === "host.agent")?.summary).toMatch(/started/);
  });

  it("is restarted by the monitor's refresh, so the host never shows the broken connection", async () => {
    const created = await addHost();
    const { agentDir } = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    await owner.caller.host.containers({ hostId: created.id });
    await onHost(["pkill", "-9", "-f", `${agentDir}/bin/wharf-agent serve`]);

    expect(await owner.caller.host.refresh({ hostId: created.id })).toEqual({ status: "ONLINE" });
    expect((await owner.caller.host.byId({ hostId: created.id })).statusMessage).toBeNull();
  });
});

describe("the monitor's watch", () => {
  it("notices a killed agent between ticks and brings it back without any call", async () => {
    const created = await addHost();
    await owner.caller.host.reinstallAgent({ hostId: created.id });
    const { agentDir } = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    const restarts = async () => (await owner.caller.audit.list({ limit: 20 })).items.filter((e) => e.action === "host.agent" && /started/.test(e.summary)).length;
    // One tick at start, the next in an hour: only the event stream can notice.
    const stop = startHostMonitor(deps, 3_600_000);
    try {
      const started = Date.now();
      // The first tick refreshed the host; the watch opens right after it.
      await expect.poll(async () => (await deps.db.host.findUniqueOrThrow({ where: { id: created.id } })).lastSeenAt?.getTime() ?? 0, { timeout: 30_000 }).toBeGreaterThan(started);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const before = await restarts();
      await onHost(["pkill", "-9", "-f", `${agentDir}/bin/wharf-agent serve`]);
      await expect.poll(restarts, { timeout: 30_000, interval: 250 }).toBe(before + 1);
      expect(await agentRuns(agentDir)).toBe(true);
      expect((await deps.db.host.findUniqueOrThrow({ where: { id: created.id } })).status).toBe("ONLINE");
    } finally {
      stop();
    }
  });
});

describe("read-only procedures never change what runs on the host", () => {
  it("a query against a stopped agent does not start it; Test connection does", async () => {
    const created = await addHost();
    const { agentDir } = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    const paths = agentPaths(agentDir);
    await onHost([paths.bin, "stop", "--socket", paths.socket]);

    await expectTrpcError(owner.caller.host.containers({ hostId: created.id }), "PRECONDITION_FAILED", /agent on the host is stopped.*Test connection/);
    await expectTrpcError(owner.caller.host.images({ hostId: created.id }), "PRECONDITION_FAILED", /stopped/);
    expect(await agentRuns(agentDir)).toBe(false);

    const tested = await owner.caller.host.testConnection({ hostId: created.id });
    expect(tested.ok).toBe(true);
    expect(await agentRuns(agentDir)).toBe(true);
    expect((await owner.caller.host.containers({ hostId: created.id })).map((c) => c.name)).toContain("wharf-sample");
  });
});

describe("agent integrity", () => {
  it("refuses to start an executable whose SHA-256 is not the build's, and starts nothing", async () => {
    const home = (await onHost(["sh", "-c", 'printf %s "$HOME"'])).stdout;
    const paths = agentPaths(`${home}/.wharf-integrity-test`);
    await onHost(["rm", "-rf", paths.dir]);
    const tampered = new AgentConnector(deps.ssh, { ...deps.agents.bundle, sha256: "0".repeat(64) });
    try {
      const target = { ...probe(), hostId: "integrity" };
      await expect(tampered.ensure(target, paths, "manage")).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        reason: "AGENT_INTEGRITY",
        message: expect.stringMatching(/SHA-256 [0-9a-f]{64}.*nothing was started/) as unknown,
      });
      // Neither the executable nor a socket or process: the refused file was removed before it could run.
      expect((await onHost(["ls", "-A", `${paths.dir}/bin`])).stdout.trim()).toBe("");
      expect((await onHost(["test", "-e", paths.socket])).code).not.toBe(0);
      expect(await agentRuns(paths.dir)).toBe(false);
    } finally {
      tampered.dropAll();
      await deps.ssh.close("integrity");
      await onHost(["rm", "-rf", paths.dir]);
    }
  });
});

describe("an unwritable project directory", () => {
  it("is reported as what is wrong and what to check, never as errno text", async () => {
    const created = await addHost();
    const row = await deps.db.host.findUniqueOrThrow({ where: { id: created.id } });
    const dirs = [row.agentDir, `${row.agentDir}/stacks`, `${row.agentDir}/scratch`];
    await onHost(["mkdir", "-p", ...dirs]);
    await onHost(["chmod", "500", ...dirs]);
    try {
      const project = { name: `it-unwritable-${Date.now()}`, files: [{ path: "compose.yaml", content: "services:\n  web:\n    image: busybox\n" }] };
      const error = await callAgent(deps, row, "composeConfig", { project }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "PRECONDITION_FAILED", reason: "HOST_FILESYSTEM" });
      const message = (error as Error).message;
      expect(message).toMatch(new RegExp(`the SSH user ${h1().users.docker} cannot write (stacks|scratch)\\S* in the agent directory ${row.agentDir} \\(permission denied\\): check that it and its directory are owned by ${h1().users.docker}`));
      expect(message).not.toMatch(/EACCES|wharf-tmp/);
    } finally {
      await onHost(["chmod", "700", ...dirs]);
    }
  });
});

describe("one status for one cause", () => {
  it("records a host whose Docker is down as ERROR, from Test connection and from the monitor alike", async () => {
    const created = await addHost();
    const user = h1().users.nodaemon;
    const home = (await onHost(["sh", "-c", 'printf %s "$HOME"'], user)).stdout;
    // The same host seen through a user whose Docker daemon is not running.
    await deps.db.host.update({ where: { id: created.id }, data: { username: user, agentDir: `${home}/.wharf` } });

    const tested = await owner.caller.host.testConnection({ hostId: created.id });
    expect(tested.steps.find((s) => !s.ok)?.name).toBe("docker");
    const afterTest = await owner.caller.host.byId({ hostId: created.id });
    expect(afterTest.status).toBe("ERROR");

    expect(await owner.caller.host.refresh({ hostId: created.id })).toEqual({ status: "ERROR" });
    expect((await owner.caller.host.byId({ hostId: created.id })).statusMessage).toBe(afterTest.statusMessage);
  });
});
