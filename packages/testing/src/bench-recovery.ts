/**
 * `npm run bench -- recovery`: how long a host takes to recover from its
 * agent being killed (SIGKILL while idle), printed, never asserted:
 * - kill -9, then the next query: the call that finds the dead connection,
 *   restarts the agent and answers, timed end to end;
 * - kill -9 with the host monitor running and no call at all: until the
 *   monitor's event-stream watch noticed and the agent answers again;
 * - sshd killed (every session dropped) and started again: from its start
 *   until the first call on the host succeeds;
 * - dockerd stopped and started again: from the engine answering until a
 *   refresh records the host ONLINE.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import type { WharfDeps } from "@wharf/api";
import { startHostMonitor } from "@wharf/api/services/monitor";
import type { SshTarget } from "@wharf/ssh";

import { createTestUser, type TestUser } from "./api";
import { REPO_ROOT } from "./env";
import { loadSandbox, type SandboxHost } from "./sandbox";
import { percentile } from "./stats";
import { timeUntil } from "./wait";

const RUNS = 7;
/** Daemon restarts are slower and disturb the shared hosts longer: fewer runs. */
const DAEMON_RUNS = 3;

const fmt = (values: number[]): string =>
  `median ${percentile(values, 50).toFixed(0)} ms  min ${Math.min(...values).toFixed(0)} ms  max ${Math.max(...values).toFixed(0)} ms  (${values.length} runs)`;

export async function recoveryFigures(deps: WharfDeps): Promise<void> {
  const sandbox = loadSandbox();
  const h1 = sandbox.hosts[0];
  if (!h1) throw new Error("no sandbox host");
  const privateKey = readFileSync(sandbox.clientKey, "utf8");
  const owner = await createTestUser(deps);
  const hostId = await addHost(owner, "recovery", h1, privateKey);
  // A query may restart only this build's executable.
  await owner.caller.host.reinstallAgent({ hostId });
  const { agentDir } = await deps.db.host.findUniqueOrThrow({ where: { id: hostId } });
  // Its own connection, so killing never warms the connection under measurement.
  const probe: SshTarget = { hostId: "bench-recovery-probe", address: h1.address, port: h1.port, username: h1.users.docker, privateKey, hostKeyFingerprint: h1.hostKeyFingerprint };
  const kill = async (): Promise<void> => {
    await deps.ssh.exec(probe, ["pkill", "-9", "-f", `${agentDir}/bin/wharf-agent serve`]);
  };
  const query = () => owner.caller.host.containers({ hostId });

  const nextCall: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    await query();
    await kill();
    const started = performance.now();
    await query();
    nextCall.push(performance.now() - started);
  }

  const restarts = () => deps.db.auditEvent.count({ where: { targetId: hostId, action: "host.agent" } });
  const byMonitor: number[] = [];
  const stop = startHostMonitor(deps, 3_600_000);
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (let i = 0; i < RUNS; i += 1) {
      const before = await restarts();
      await kill();
      const started = performance.now();
      while ((await restarts()) === before) {
        if (performance.now() - started > 60_000) throw new Error("the monitor did not restart the agent within 60 s");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      byMonitor.push(performance.now() - started);
      // Let the watch re-open before the next kill.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  } finally {
    stop();
    await deps.ssh.close(probe.hostId);
  }
  process.stdout.write(`\nRecovery from kill -9 of an idle agent (h1)\n`);
  process.stdout.write(`  next query answered (finds the dead connection, restarts the agent): ${fmt(nextCall)}\n`);
  process.stdout.write(`  no call, monitor's event-stream watch until the agent answers again: ${fmt(byMonitor)}\n`);
  await daemonFigures(deps, owner, hostId, privateKey);
}

async function addHost(owner: TestUser, name: string, host: SandboxHost, privateKey: string): Promise<string> {
  const { id } = await owner.caller.host.create({
    name,
    address: host.address,
    port: host.port,
    username: host.users.docker,
    credential: { type: "pasted", privateKey },
    hostKeyFingerprint: host.hostKeyFingerprint,
  });
  return id;
}

function service(host: string, daemon: "sshd" | "dockerd", action: "stop" | "start"): void {
  execFileSync("bash", [path.join(REPO_ROOT, "docker/sandbox/sandbox.sh"), "service", host, daemon, action], { stdio: ["ignore", "ignore", "inherit"] });
}

async function daemonFigures(deps: WharfDeps, owner: TestUser, h1Id: string, privateKey: string): Promise<void> {
  const h2 = loadSandbox().hosts[1];
  if (!h2) throw new Error("no second sandbox host");
  const h2Id = await addHost(owner, "recovery-h2", h2, privateKey);

  const afterSshd: number[] = [];
  for (let i = 0; i < DAEMON_RUNS; i += 1) {
    await owner.caller.host.containers({ hostId: h1Id });
    service("h1", "sshd", "stop");
    service("h1", "sshd", "start");
    afterSshd.push(await timeUntil("a call on h1", () => owner.caller.host.containers({ hostId: h1Id })));
  }

  const afterDockerd: number[] = [];
  for (let i = 0; i < DAEMON_RUNS; i += 1) {
    service("h2", "dockerd", "stop");
    try {
      await owner.caller.host.refresh({ hostId: h2Id });
    } finally {
      service("h2", "dockerd", "start");
    }
    afterDockerd.push(
      await timeUntil("host h2 ONLINE", async () => {
        const { status } = await owner.caller.host.refresh({ hostId: h2Id });
        if (status !== "ONLINE") throw new Error(`host is ${status}`);
      }),
    );
  }
  process.stdout.write(`\nRecovery from a daemon restart\n`);
  process.stdout.write(`  sshd killed and started again (h1), until the first call succeeds: ${fmt(afterSshd)}\n`);
  process.stdout.write(`  dockerd stopped and started again (h2), from the engine answering until a refresh records ONLINE: ${fmt(afterDockerd)}\n`);
}
