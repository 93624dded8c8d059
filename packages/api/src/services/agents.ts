import { AsyncLocalStorage } from "node:async_hooks";
import type http from "node:http";

import type { HelloResult } from "@wharf/agent-protocol";
import { SshError, type SshPool, type SshTarget } from "@wharf/ssh";
import { createTunnelAgent } from "@wharf/ssh";

import { WharfError } from "../errors";
import type { AgentBundle } from "../lib/agent-bundle";
import { AgentCallError, AgentClient } from "../lib/agent-client";

export interface AgentPaths {
  dir: string;
  bin: string;
  socket: string;
  log: string;
}

export function agentPaths(dir: string): AgentPaths {
  return { dir, bin: `${dir}/bin/wharf-agent`, socket: `${dir}/agent.sock`, log: `${dir}/agent.log` };
}

export type AgentAction = "installed" | "upgraded" | "started";

/**
 * What a caller may do to reach an agent. "read" (queries, subscriptions)
 * never uploads, upgrades or starts a stopped agent; it only brings back an
 * agent that crashed (its pidfile is left behind) from the same verified
 * executable, so a kill -9 costs one request a restart instead of an error.
 * "manage" (mutations, the job runner, the monitor) may also install,
 * upgrade and start.
 */
export type AgentUse = "read" | "manage";

const agentUseScope = new AsyncLocalStorage<AgentUse>();

/** Runs `run` with agents reachable as `use`; outside any scope calls are "read". */
export function withAgentUse<T>(use: AgentUse, run: () => T): T {
  return agentUseScope.run(use, run);
}

export function currentAgentUse(): AgentUse {
  return agentUseScope.getStore() ?? "read";
}

export interface EnsuredAgent {
  client: AgentClient;
  hello: HelloResult;
  actions: AgentAction[];
}

/**
 * Installs, upgrades, starts and reaches the agent on each host. Holds one
 * tunnelled http.Agent per host so warm calls reuse the forwarded stream.
 */
export class AgentConnector {
  private readonly transports = new Map<string, { socket: string; agent: http.Agent; hello?: HelloResult }>();
  /** Keyed by host and use: a reader must not inherit a manager's right to install, nor fail a manager with its refusal. */
  private readonly inflight = new Map<string, Promise<EnsuredAgent>>();

  constructor(
    private readonly ssh: SshPool,
    readonly bundle: AgentBundle,
  ) {}

  client(target: SshTarget, paths: AgentPaths): AgentClient {
    let entry = this.transports.get(target.hostId);
    if (!entry || entry.socket !== paths.socket) {
      entry?.agent.destroy();
      entry = { socket: paths.socket, agent: createTunnelAgent(this.ssh, target, paths.socket) };
      this.transports.set(target.hostId, entry);
    }
    return new AgentClient(entry.agent);
  }

  /** The client of a host whose agent already answered on the current transport, if any. */
  verified(hostId: string): EnsuredAgent | null {
    const entry = this.transports.get(hostId);
    return entry?.hello ? { client: new AgentClient(entry.agent), hello: entry.hello, actions: [] } : null;
  }

  /**
   * Reaches the agent, starting, installing or upgrading it when `use`
   * allows. Concurrent callers for one host share a single attempt, so a
   * page that loads four lists at once never uploads the executable four times.
   */
  ensure(target: SshTarget, paths: AgentPaths, use: AgentUse = currentAgentUse()): Promise<EnsuredAgent> {
    const key = `${target.hostId}\0${use}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const attempt = this.ensureOnce(target, paths, use).finally(() => this.inflight.delete(key));
    this.inflight.set(key, attempt);
    return attempt;
  }

  private async ensureOnce(target: SshTarget, paths: AgentPaths, use: AgentUse): Promise<EnsuredAgent> {
    const actions: AgentAction[] = [];
    const client = this.client(target, paths);
    // Checked once per transport: a failed call drops the transport (see drop()).
    const verified = this.transports.get(target.hostId)?.hello;
    if (verified) return { client, hello: verified, actions };
    let hello = await this.tryHello(client);
    if (hello && hello.agentVersion === this.bundle.version) return { client, hello: this.remember(target.hostId, hello), actions };
    if (use === "read") {
      await this.assertRecoverable(target, paths, hello);
    } else if (hello || (await this.installedSha256(target, paths)) !== this.bundle.sha256) {
      await this.install(target, paths);
      actions.push(hello ? "upgraded" : "installed");
    }
    await this.start(target, paths);
    actions.push("started");
    this.drop(target.hostId);
    const fresh = this.client(target, paths);
    hello = await fresh.call("hello", {});
    return { client: fresh, hello: this.remember(target.hostId, hello), actions };
  }

  /** For "read": only a crashed agent of this very build may be brought back. */
  private async assertRecoverable(target: SshTarget, paths: AgentPaths, hello: HelloResult | null): Promise<void> {
    const upgrade = "Test connection (or a deploy) by someone allowed to manage the host upgrades it.";
    if (hello) throw new WharfError("PRECONDITION_FAILED", `The agent on the host is ${hello.agentVersion}, this Wharf needs ${this.bundle.version}. ${upgrade}`, "AGENT_OUTDATED");
    // A clean stop removes the pidfile; kill -9 or a crash leaves it.
    const crashed = (await this.ssh.exec(target, ["test", "-f", `${paths.socket}.pid`])).code === 0;
    if (!crashed) {
      throw new WharfError("PRECONDITION_FAILED", "The agent on the host is stopped, and viewing never starts it. Use Test connection on the host page (or deploy) to start it.", "AGENT_STOPPED");
    }
    if ((await this.installedSha256(target, paths)) !== this.bundle.sha256) {
      throw new WharfError("PRECONDITION_FAILED", `The agent on the host stopped and its executable is not this Wharf's build (${this.bundle.version}). ${upgrade}`, "AGENT_OUTDATED");
    }
  }

  private remember(hostId: string, hello: HelloResult): HelloResult {
    const entry = this.transports.get(hostId);
    if (entry) entry.hello = hello;
    return hello;
  }

  /** Uploads the executable (gzip) over SFTP and unpacks it in place atomically. */
  async install(target: SshTarget, paths: AgentPaths): Promise<void> {
    const uname = await this.ssh.exec(target, ["uname", "-sm"]);
    const [os, machine] = uname.stdout.trim().split(/\s+/);
    const arch = machine === "x86_64" ? "x64" : machine === "aarch64" ? "arm64" : machine;
    if (os?.toLowerCase() !== this.bundle.platform || arch !== this.bundle.arch) {
      throw new WharfError(
        "PRECONDITION_FAILED",
        `The host runs ${uname.stdout.trim()}, but this Wharf ships an agent for ${this.bundle.platform}/${this.bundle.arch} only.`,
        "UNSUPPORTED_PLATFORM",
      );
    }
    await this.run(target, ["mkdir", "-p", "-m", "700", paths.dir, `${paths.dir}/bin`], "create the agent directory");
    const gz = `${paths.bin}.gz`;
    const unpacked = `${paths.bin}.new`;
    await this.ssh.uploadFile(target, this.bundle.gzPath, gz, { mode: 0o600 });
    // Positional parameters keep paths out of the script text.
    const unpack = 'gzip -dc "$1" > "$2" && chmod 700 "$2" && rm -f "$1"';
    await this.run(target, ["sh", "-c", unpack, "wharf-install", gz, unpacked], "unpack the agent (is gzip installed?)");
    // Checked before it replaces the executable, so a bad upload never runs and never hides the last good one.
    const sha256 = await this.sha256On(target, unpacked);
    if (sha256 !== this.bundle.sha256) {
      await this.ssh.exec(target, ["rm", "-f", unpacked]);
      throw new WharfError(
        "PRECONDITION_FAILED",
        `The agent executable unpacked on the host has SHA-256 ${sha256 ?? "(unreadable)"}, but this Wharf's build (${this.bundle.version}) has ${this.bundle.sha256}: nothing was started. Reinstall the agent; if it fails again, the upload or the host's disk is corrupting files (check free space).`,
        "AGENT_INTEGRITY",
      );
    }
    await this.run(target, ["mv", "-f", unpacked, paths.bin], "move the agent into place");
  }

  /** Callers check the executable first (installedSha256, or install() itself). */
  async start(target: SshTarget, paths: AgentPaths): Promise<void> {
    await this.run(target, [paths.bin, "start", "--socket", paths.socket, "--log", paths.log], "start the agent");
  }

  async stop(target: SshTarget, paths: AgentPaths): Promise<void> {
    await this.ssh.exec(target, [paths.bin, "stop", "--socket", paths.socket]);
    this.drop(target.hostId);
  }

  drop(hostId: string): void {
    this.transports.get(hostId)?.agent.destroy();
    this.transports.delete(hostId);
  }

  dropAll(): void {
    for (const hostId of [...this.transports.keys()]) this.drop(hostId);
  }

  private installedSha256(target: SshTarget, paths: AgentPaths): Promise<string | null> {
    return this.sha256On(target, paths.bin);
  }

  /** The file's SHA-256 computed on the host, or null when it cannot be read. */
  private async sha256On(target: SshTarget, file: string): Promise<string | null> {
    const result = await this.ssh.exec(target, ["sha256sum", "--", file], { timeoutMs: 120_000 });
    if (result.code === 127) {
      throw new WharfError("PRECONDITION_FAILED", "The host has no sha256sum, which Wharf needs to verify the agent before starting it: install coreutils (or busybox).", "AGENT_INSTALL_FAILED");
    }
    return result.code === 0 ? (result.stdout.trim().split(/\s+/)[0] ?? null) : null;
  }

  private async tryHello(client: AgentClient): Promise<HelloResult | null> {
    try {
      return await client.call("hello", {}, { timeoutMs: 10_000 });
    } catch (error) {
      // A missing socket (agent stopped) or another protocol version both mean "(re)start it".
      if (error instanceof SshError && error.code === "CHANNEL_OPEN_FAILED") return null;
      if (error instanceof AgentCallError && error.error.code === "PROTOCOL_MISMATCH") return null;
      throw error;
    }
  }

  private async run(target: SshTarget, argv: string[], what: string): Promise<string> {
    const result = await this.ssh.exec(target, argv, { timeoutMs: 120_000 });
    if (result.code !== 0) {
      const detail = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" ");
      throw new WharfError("PRECONDITION_FAILED", `Could not ${what} on the host: ${detail || `exit code ${result.code}`}`, "AGENT_INSTALL_FAILED");
    }
    return result.stdout;
  }
}
