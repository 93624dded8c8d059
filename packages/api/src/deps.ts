import path from "node:path";

import { createDb, type Db } from "@wharf/db";
import { SshPool } from "@wharf/ssh";

import { loadAgentBundle } from "./lib/agent-bundle";
import { JobEvents } from "./lib/job-events";
import { SecretBox } from "./lib/secret-box";
import { SignInLimiter } from "./lib/sign-in-limiter";
import { AccessCache } from "./services/access-cache";
import { AgentConnector } from "./services/agents";
import { Queue, type QueueOptions } from "./services/queue";

export interface Logger {
  info: (message: string) => void;
  warn: (message: string) => void;
  error: (message: string) => void;
}

export interface WharfConfig {
  databaseUrl: string;
  /** Holds the generated master key file when no master key is given. */
  dataDir: string;
  masterKey?: string | undefined;
  agentDistDir: string;
  publicUrl: string;
  log?: Logger;
  queue?: QueueOptions;
  /** Docker Hub's registry API (default https://registry-1.docker.io); tests point it at a local registry. */
  dockerHubUrl?: string;
}

/** Long-lived collaborators shared by every request: one DB client, one SSH pool. */
export interface WharfDeps {
  config: WharfConfig;
  db: Db;
  secrets: SecretBox;
  ssh: SshPool;
  agents: AgentConnector;
  /** In-process fan-out of deployment progress to its readers. */
  jobs: JobEvents;
  /** Password-guessing limits, shared through Postgres by every replica. */
  signIn: SignInLimiter;
  /** Memberships and host rows each call reads first, kept until they change (in any process). */
  access: AccessCache;
  /** Background jobs other than deployments (pg-boss), started on first use. */
  queue: Queue;
  log: Logger;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function createWharfDeps(config: WharfConfig): WharfDeps {
  const ssh = new SshPool({ keepaliveIntervalMs: 15_000, idleCloseMs: 5 * 60_000 });
  const log = config.log ?? silent;
  return {
    config,
    db: createDb(config.databaseUrl),
    secrets: SecretBox.load({ masterKey: config.masterKey, keyFile: path.join(config.dataDir, "master.key") }),
    ssh,
    agents: new AgentConnector(ssh, loadAgentBundle(config.agentDistDir)),
    jobs: new JobEvents(),
    signIn: new SignInLimiter(config.databaseUrl),
    access: new AccessCache(config.databaseUrl, log),
    queue: new Queue(config.databaseUrl, log, config.queue),
    log,
  };
}

export async function closeWharfDeps(deps: WharfDeps): Promise<void> {
  deps.agents.dropAll();
  await deps.ssh.closeAll();
  await deps.signIn.close();
  await deps.access.close();
  await deps.queue.stop();
  await deps.db.$disconnect();
}
