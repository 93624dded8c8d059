/**
 * What `npm run bench` must leave as it found it: agent and supervisor
 * processes, loopback sshds, network namespaces, and containers on the
 * sandbox hosts. The bench takes a snapshot first, stops what it started at
 * its end, and reports whatever is still there that was not there before.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

import { agentPaths, type WharfDeps } from "@wharf/api";

import { childEnv } from "./env";
import { loadSandbox, type Sandbox, sandboxIsUp } from "./sandbox";

export interface Snapshot {
  /**
   * Command lines of the wharf-agent processes (daemons and compose
   * supervisors) of the sandbox hosts' users: an agent the bench upgraded
   * runs again under another pid, and is still the one that ran before.
   */
  agents: Set<string>;
  /** sshd processes started for the bench on loopback. */
  sshds: Set<string>;
  namespaces: Set<string>;
  /** "host/container name" of the bench's own projects (bench-*) on every sandbox host: others share these hosts. */
  containers: Set<string>;
  /** The sandbox hosts' users, as they were when the bench began. */
  uids: Set<number>;
}

/** Command lines by pid, with the real uid of each process. */
function commandLines(): Map<number, { line: string; uid: number }> {
  const lines = new Map<number, { line: string; uid: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1] ?? -1);
      if (line !== "") lines.set(Number(entry), { line, uid });
    } catch {
      // Gone since the listing.
    }
  }
  return lines;
}

/** The uids of the sandbox hosts' users: agents anyone else runs on this machine are not the bench's. */
function sandboxUids(sandbox: Sandbox): Set<number> {
  const users = sandbox.hosts.flatMap((host) => Object.values(host.users));
  return new Set(users.map((user) => Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim())));
}

/** What runs now. After the bench stopped a sandbox it started, `before` says whose processes count, and no host is left to hold containers. */
export function takeSnapshot(before?: Snapshot): Snapshot {
  const all = [...commandLines()];
  const processes = all.map(([pid, { line }]) => `${pid} ${line}`);
  const sandbox = sandboxIsUp() ? loadSandbox() : null;
  const uids = sandbox ? sandboxUids(sandbox) : (before?.uids ?? new Set<number>());
  const agents = all.filter(([, { line, uid }]) => uids.has(uid) && /(^|\/)wharf-agent /.test(line)).map(([, { line }]) => line);
  const containers = (sandbox?.hosts ?? []).flatMap((host) =>
    execFileSync("docker", ["ps", "-a", "--format", "{{.Names}}"], { env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }), encoding: "utf8" })
      .split("\n")
      .filter((name) => name.startsWith("bench-"))
      .map((name) => `${host.name}/${name}`),
  );
  const namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "");
  return {
    agents: new Set(agents),
    sshds: new Set(processes.filter((line) => line.includes("sshd") && line.includes("/loopback/"))),
    namespaces: new Set(namespaces),
    containers: new Set(containers),
    uids,
  };
}

/** Everything in `after` that `before` did not have, one line each. */
export function leftovers(before: Snapshot, after: Snapshot): string[] {
  const kinds: [Exclude<keyof Snapshot, "uids">, string][] = [
    ["agents", "agent process"],
    ["sshds", "loopback sshd"],
    ["namespaces", "network namespace"],
    ["containers", "container"],
  ];
  return kinds.flatMap(([kind, label]) => [...after[kind]].filter((item) => !before[kind].has(item)).map((item) => `${label}: ${item}`));
}

/**
 * Stops the agent of every host the bench added whose agent was not running
 * before it started: agents are daemons, they outlive the SSH session that
 * started them (which is how a bench run left dozens behind).
 */
export async function stopStartedAgents(deps: WharfDeps, before: Snapshot): Promise<void> {
  const sandbox = loadSandbox();
  const privateKey = readFileSync(sandbox.clientKey, "utf8");
  // Only hosts an agent ever answered on: rows the bench seeds for database-only figures (users that do not exist here) never had one.
  const hosts = await deps.db.host.findMany({ where: { agentVersion: { not: null } }, select: { id: true, address: true, port: true, username: true, hostKeyFingerprint: true, agentDir: true } });
  const stopped = new Set<string>();
  for (const host of hosts) {
    const key = `${host.address}:${host.port}:${host.username}:${host.agentDir}`;
    if (stopped.has(key)) continue;
    stopped.add(key);
    const paths = agentPaths(host.agentDir);
    const home = execFileSync("getent", ["passwd", host.username], { encoding: "utf8" }).split(":")[5] ?? "";
    const bin = host.agentDir.startsWith("/") ? paths.bin : `${home}/${paths.bin}`;
    const wasRunning = [...before.agents].some((line) => line.includes(`${bin} serve`));
    if (wasRunning) continue;
    const target = { hostId: `bench-stop-${host.id}`, address: host.address, port: host.port, username: host.username, privateKey, hostKeyFingerprint: host.hostKeyFingerprint };
    try {
      await deps.agents.stop(target, paths);
    } catch {
      // Its sshd may be gone already (the loopback fleet): the leftover check reports what still runs.
    } finally {
      await deps.ssh.close(target.hostId);
    }
  }
}
