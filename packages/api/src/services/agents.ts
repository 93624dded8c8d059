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
   * Reaches the agent, starting, installing or upgrading it when needed.
   * Concurrent callers for one host share a single attempt, so a page that
   * loads four lists at once never uploads the executable four times.
   */
  ensure(target: SshTarget, paths: AgentPaths): Promise<EnsuredAgent> {
    const running = this.inflight.get(target.hostId);
    if (running) return running;
    const attempt = this.ensureOnce(target, paths).finally(() => this.inflight.delete(target.hostId));
    this.inflight.set(target.hostId, attempt);
    return attempt;
  }

  private async ensureOnce(target: SshTarget, paths: AgentPaths): Promise<EnsuredAgent> {
    const actions: AgentAction[] = [];
    const client = this.client(target, paths);
    // Checked once per transport: a failed call drops the transport (see drop()).
    const verified = this.transports.get(target.hostId)?.hello;
    if (verified) return { client, hello: verified, actions };
    let hello = await this.tryHello(client);
    if (hello && hello.agentVersion === this.bundle.version) return { client, hello: this.remember(target.hostId, hello), actions };
    if (hello) {
      await this.install(target, paths);
      actions.push("upgraded");
    } else if ((await this.installedVersion(target, paths)) !== this.bundle.version) {
      await this.install(target, paths);
      actions.push("installed");
    }
    await this.start(target, paths);
    actions.push("started");
    this.drop(target.hostId);
    const fresh = this.client(target, paths);
    hello = await fresh.call("hello", {});
    return { client: fresh, hello: this.remember(target.hostId, hello), actions };
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
    await this.ssh.uploadFile(target, this.bundle.gzPath, gz, { mode: 0o600 });
    // Positional parameters keep paths out of the script text.
    const unpack = 'gzip -dc "$1" > "$2.new" && chmod 700 "$2.new" && mv -f "$2.new" "$2" && rm -f "$1"';
    await this.run(target, ["sh", "-c", unpack, "wharf-install", gz, paths.bin], "unpack the agent (is gzip installed?)");
  }

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

  private async installedVersion(target: SshTarget, paths: AgentPaths): Promise<string | null> {
    const result = await this.ssh.exec(target, [paths.bin, "version"]);
    return result.code === 0 ? result.stdout.trim() : null;
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
