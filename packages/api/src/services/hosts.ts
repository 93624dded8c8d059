import { randomUUID } from "node:crypto";

import {
  type AgentMethod,
  type AgentParams,
  type AgentResult,
  type AgentStreamData,
  type AgentStreamMethod,
  type AgentStreamParams,
  type HostFacts,
  hostFactsResult,
} from "@wharf/agent-protocol";
import { type Host, hostPublicSelect, type HostStatus, Prisma } from "@wharf/db";
import { scanHostKey, type SshTarget } from "@wharf/ssh";
import pLimit from "p-limit";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { AgentCallError, type StreamOptions } from "../lib/agent-client";
import { isTransportFailure, toHostError } from "../lib/connection-errors";
import { type AgentAction, type AgentPaths, agentPaths, type EnsuredAgent, withAgentUse } from "./agents";
import { type Actor, recordAudit } from "./audit";
import { importCredentialInput, inspectKey, loadCredentialSecret } from "./credentials";
import { resolveEnvironmentId } from "./environments";
import { connectionChanged } from "./host-connection";
import { type ComposeProjectCounts, countComposeProjects, type HostStack, stacksByHost } from "./host-stacks";
import { installation } from "./project-owner";
import { publishEvent } from "./webhooks";

export const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "Use lowercase letters, digits and dashes (like a DNS label), e.g. build-01.");

export const hostAddress = z
  .string()
  .trim()
  .min(1, "Enter the host's address.")
  .max(253)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, "Enter a hostname or an IP address, without user or port.");

export const sshPort = z.coerce.number().int().min(1, "Ports run from 1 to 65535.").max(65535, "Ports run from 1 to 65535.");

export const sshUsername = z
  .string()
  .trim()
  .regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, "Enter a Unix user name such as deploy or ubuntu.");

export const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "Expected a SHA256 fingerprint such as SHA256:abc…");

export const scanHostKeyInput = z.object({
  address: hostAddress,
  port: sshPort.default(22),
  /** The environment the host will join: only read by the authorization check (a grant may be limited to it). */
  environmentId: z.string().min(1).optional(),
});
export type ScanHostKeyInput = z.infer<typeof scanHostKeyInput>;

export const createHostInput = z.object({
  name: hostName,
  address: hostAddress,
  port: sshPort.default(22),
  username: sshUsername,
  credential: z.discriminatedUnion("type", [
    z.object({ type: z.literal("existing"), credentialId: z.string().min(1) }),
    z.object({ type: z.literal("pasted"), privateKey: importCredentialInput.shape.privateKey, passphrase: z.string().max(1_000).optional() }),
  ]),
  /** The fingerprint the user confirmed after scanHostKey; pinned on success. */
  hostKeyFingerprint: fingerprint,
  /** Default: the team's first environment. */
  environmentId: z.string().min(1).optional(),
});
export type CreateHostInput = z.infer<typeof createHostInput>;

export type HostSummary = {
  dockerVersion: string;
  composeVersion: string | null;
  os: string;
  cpus: number;
  memoryBytes: number;
  containersRunning: number;
  containersTotal: number;
};

const REFRESH_CONCURRENCY = 16;
/** A host that hangs mid-call must not stall the monitor, which waits for every refresh. */
const REFRESH_TIMEOUT_MS = 30_000;

export function parseFacts(value: unknown): HostFacts | null {
  const parsed = hostFactsResult.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function summarize(facts: HostFacts | null): HostSummary | null {
  if (!facts) return null;
  return {
    dockerVersion: facts.docker.version,
    composeVersion: facts.compose.version,
    os: facts.os,
    cpus: facts.cpus,
    memoryBytes: facts.memoryBytes,
    containersRunning: facts.docker.containers.running,
    containersTotal: facts.docker.containers.total,
  };
}

/** The team's hosts; with `stacks` (callers allowed stack:read), each host's stacks and their state there. */
export async function listHosts(deps: WharfDeps, teamId: string, options: { stacks: boolean }) {
  const [rows, stacks] = await Promise.all([
    deps.db.host.findMany({ where: { teamId }, orderBy: { name: "asc" }, select: hostPublicSelect }),
    options.stacks ? stacksByHost(deps, teamId) : null,
  ]);
  /** Null when the caller may not read stacks. */
  const stacksOn = (hostId: string): HostStack[] | null => (stacks ? (stacks.get(hostId) ?? []) : null);
  return rows.map(({ facts, ...row }) => ({ ...row, summary: summarize(parseFacts(facts)), stacks: stacksOn(row.id) }));
}

export async function getHost(deps: WharfDeps, teamId: string, hostId: string) {
  const row = await deps.db.host.findFirst({
    where: { id: hostId, teamId },
    select: {
      ...hostPublicSelect,
      pastHostKeys: { orderBy: { replacedAt: "desc" }, take: 20, select: { id: true, algorithm: true, fingerprint: true, address: true, port: true, pinnedAt: true, replacedAt: true, replacedByLabel: true } },
    },
  });
  if (!row) throw notFound("That host");
  const facts = parseFacts(row.facts);
  const shipped = deps.agents.bundle.version;
  return { ...row, facts, summary: summarize(facts), agent: { installed: row.agentVersion, shipped, current: row.agentVersion === shipped, upgradedAt: row.agentUpgradedAt } };
}

/** Internal row (with credential id) for host-scoped procedures; never returned to clients. */
export async function findHostForTeam(deps: WharfDeps, teamId: string, hostId: string): Promise<Host> {
  const host = await deps.db.host.findFirst({ where: { id: hostId, teamId } });
  if (!host) throw notFound("That host");
  return host;
}

/** Step 1 of adding a host: fetch the host key so the user can confirm its fingerprint. */
export async function scanHostKeyForAdd(input: ScanHostKeyInput) {
  try {
    const key = await scanHostKey({ address: input.address, port: input.port, timeoutMs: 10_000 });
    return { algorithm: key.algorithm, fingerprint: key.fingerprint };
  } catch (error) {
    throw toHostError(error);
  }
}

export async function targetFor(deps: WharfDeps, host: Host): Promise<SshTarget> {
  const secret = await loadCredentialSecret(deps, host.credentialId);
  return {
    hostId: host.id,
    address: host.address,
    port: host.port,
    username: host.username,
    privateKey: secret.privateKey,
    ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
    hostKeyFingerprint: host.hostKeyFingerprint,
  };
}

/**
 * Step 2: connect with the confirmed key pinned, install and start the agent,
 * read facts. The host row is written only when every step succeeded, so a
 * failure leaves nothing half-added but an audit row saying why.
 */
export async function createHost(deps: WharfDeps, teamId: string, actor: Actor, input: CreateHostInput) {
  try {
    return await addHost(deps, teamId, actor, input);
  } catch (error) {
    // The message is the user-facing one (never key material); the audit row must not hide the original error.
    const reason = error instanceof WharfError ? error.message : "an unexpected error (see the server log)";
    await recordAudit(deps.db, {
      teamId,
      actor,
      action: "host.create_failed",
      targetType: "host",
      summary: `Could not add host ${input.name} (${input.username}@${input.address}:${input.port}): ${reason}`,
      data: { address: input.address, port: input.port, username: input.username, ...(error instanceof WharfError ? { code: error.code } : {}) },
    }).catch((auditError: unknown) => deps.log.error(`Recording a failed host addition failed: ${String(auditError)}`));
    throw error;
  }
}

export type CredentialInput = CreateHostInput["credential"];

/** The SSH key a host form chose: a saved one of the team, or a pasted one (checked here, saved only with the host). */
export async function resolveCredential(deps: WharfDeps, teamId: string, credential: CredentialInput) {
  if (credential.type === "existing") {
    const existing = await deps.db.sshCredential.findFirst({ where: { id: credential.credentialId, teamId }, select: { id: true } });
    if (!existing) throw notFound("That SSH key");
    return { existingId: existing.id, secret: await loadCredentialSecret(deps, existing.id), pasted: null };
  }
  const secret = { privateKey: credential.privateKey, ...(credential.passphrase ? { passphrase: credential.passphrase } : {}) };
  return { existingId: null, secret, pasted: inspectKey(secret.privateKey, secret.passphrase) };
}
export type ResolvedCredential = Awaited<ReturnType<typeof resolveCredential>>;

/** The credential's id, saving a pasted key (encrypted) in the same transaction as the host that uses it. */
export async function saveCredential(deps: WharfDeps, tx: Prisma.TransactionClient, teamId: string, hostName: string, resolved: ResolvedCredential): Promise<string> {
  if (resolved.existingId) return resolved.existingId;
  const { secret, pasted } = resolved;
  const created = await tx.sshCredential.create({
    data: {
      teamId,
      name: `${hostName} key`,
      kind: "PASTED",
      publicKey: pasted?.publicKey ?? "",
      fingerprint: pasted?.fingerprint ?? "",
      privateKeyEnc: deps.secrets.seal(secret.privateKey),
      passphraseEnc: secret.passphrase ? deps.secrets.seal(secret.passphrase) : null,
    },
    select: { id: true },
  });
  return created.id;
}

/** Scans the endpoint and refuses a key other than the one the user confirmed. */
export async function assertConfirmedKey(endpoint: { address: string; port: number }, confirmed: string) {
  const scanned = await scanHostKeyForAdd(endpoint);
  if (scanned.fingerprint !== confirmed) {
    throw new WharfError(
      "PRECONDITION_FAILED",
      `The host key of ${endpoint.address}:${endpoint.port} changed since you confirmed it (now ${scanned.fingerprint}, confirmed ${confirmed}). This can mean someone is intercepting the connection: check the host before trying again.`,
      "HOST_KEY_MISMATCH",
    );
  }
  return scanned;
}

/** Whether reaching the agent put a new executable on the host. */
function upgradedBy(actions: AgentAction[]): boolean {
  return actions.includes("installed") || actions.includes("upgraded");
}

export interface TrialAgent {
  agentDir: string;
  ensured: EnsuredAgent;
  facts: HostFacts;
  /** When the trial installed or upgraded the executable. */
  upgradedAt: Date | null;
}

/**
 * Tests a connection not saved yet, for real: signs in, finds the home
 * directory, installs or upgrades and starts the agent there, reads facts;
 * then `save` runs. When anything fails, an agent the trial started is
 * stopped again, and the trial's own connection never outlives the call.
 */
export async function withTrialAgent<T>(deps: WharfDeps, connection: Omit<SshTarget, "hostId">, save: (trial: TrialAgent) => Promise<T>): Promise<T> {
  const target: SshTarget = { ...connection, hostId: `pending-${randomUUID()}` };
  let paths: AgentPaths | null = null;
  let startedByUs = false;
  try {
    paths = agentPaths(`${await remoteHome(deps, target)}/.wharf`);
    const ensured = await deps.agents.ensure(target, paths, "manage");
    startedByUs = ensured.actions.includes("started");
    const facts = await ensured.client.call("hostFacts", {});
    return await save({ agentDir: paths.dir, ensured, facts, upgradedAt: upgradedBy(ensured.actions) ? new Date() : null });
  } catch (error) {
    if (startedByUs && paths) await deps.agents.stop(target, paths).catch(() => undefined);
    throw toHostError(error);
  } finally {
    deps.agents.drop(target.hostId);
    await deps.ssh.close(target.hostId);
  }
}

/** Forgets pooled connections and verified agents of a host whose connection settings changed. */
export async function forgetConnection(deps: WharfDeps, hostId: string): Promise<void> {
  deps.agents.drop(hostId);
  await deps.ssh.close(hostId);
}

async function addHost(deps: WharfDeps, teamId: string, actor: Actor, input: CreateHostInput) {
  if (await deps.db.host.findFirst({ where: { teamId, name: input.name }, select: { id: true } })) {
    throw new WharfError("CONFLICT", `A host named ${input.name} already exists in this team: pick another name.`);
  }
  const credential = await resolveCredential(deps, teamId, input.credential);
  const environmentId = await resolveEnvironmentId(deps.db, teamId, input.environmentId);
  const scanned = await assertConfirmedKey(input, input.hostKeyFingerprint);
  const connection = { address: input.address, port: input.port, username: input.username, ...credential.secret, hostKeyFingerprint: input.hostKeyFingerprint };
  return withTrialAgent(deps, connection, async ({ agentDir, ensured, facts, upgradedAt }) => {
    const host = await deps.db.$transaction(async (tx) => {
      const credentialId = await saveCredential(deps, tx, teamId, input.name, credential);
      const created = await tx.host.create({
        data: {
          teamId,
          name: input.name,
          address: input.address,
          port: input.port,
          username: input.username,
          credentialId,
          environmentId,
          hostKeyAlgorithm: scanned.algorithm,
          hostKeyFingerprint: scanned.fingerprint,
          hostKey: "",
          agentDir,
          agentVersion: ensured.hello.agentVersion,
          agentUpgradedAt: upgradedAt,
          status: "ONLINE",
          lastSeenAt: new Date(),
          facts,
          factsAt: new Date(),
        },
        select: { id: true, name: true },
      });
      await recordAudit(tx, {
        teamId,
        actor,
        action: "host.create",
        targetType: "host",
        targetId: created.id,
        summary: `Added host ${created.name} (${input.username}@${input.address}:${input.port}), pinned ${scanned.algorithm} key ${scanned.fingerprint}`,
        data: { agentVersion: ensured.hello.agentVersion, agentActions: ensured.actions },
      });
      return created;
    });
    return { ...host, agentActions: ensured.actions };
  });
}

async function remoteHome(deps: WharfDeps, target: SshTarget): Promise<string> {
  const result = await deps.ssh.exec(target, ["sh", "-c", 'printf %s "$HOME"']);
  const home = result.stdout.trim();
  if (result.code !== 0 || !home.startsWith("/")) {
    throw new WharfError("PRECONDITION_FAILED", `Could not find the home directory of ${target.username} on the host.`, "NO_HOME");
  }
  return home;
}

async function reachAgent(deps: WharfDeps, host: Host): Promise<EnsuredAgent> {
  // A host edited by another process (address, user, key, agent directory) is reached afresh.
  if (connectionChanged(deps, host)) await forgetConnection(deps, host.id);
  // Warm path: no key decryption or SSH work once this host's agent answered.
  const verified = deps.agents.verified(host.id);
  if (verified) return verified;
  const target = await targetFor(deps, host);
  const paths = agentPaths(host.agentDir);
  const ensured = await deps.agents.ensure(target, paths);
  if (ensured.actions.length > 0) {
    await deps.db.$transaction(async (tx) => {
      await tx.host.update({ where: { id: host.id }, data: { agentVersion: ensured.hello.agentVersion, ...(upgradedBy(ensured.actions) ? { agentUpgradedAt: new Date() } : {}) } });
      await recordAudit(tx, {
        teamId: host.teamId,
        actor: { id: null, label: "wharf" },
        action: "host.agent",
        targetType: "host",
        targetId: host.id,
        summary: `Agent ${ensured.actions.join(" and ")} on ${host.name} (${ensured.hello.agentVersion})`,
      });
    });
  }
  return ensured;
}

/**
 * Calls and streams that only read or check, so they may be sent again when
 * the connection broke under them; a compose run never is.
 */
const RESENDABLE: ReadonlySet<AgentMethod | AgentStreamMethod> = new Set<AgentMethod | AgentStreamMethod>([
  "hello",
  "hostFacts",
  "listContainers",
  "listImages",
  "listVolumes",
  "listNetworks",
  "composeConfig",
  "composePs",
  "containerStats",
  "composeImageDigests",
  "preflight",
  "composeLogs",
  "inspectContainer",
  "containerLogs",
  "volumeUsage",
  "networkUsage",
  "inspectImage",
]);

/**
 * Runs `send` against the host's agent. When a resendable request meets a
 * broken connection (typically a kept-alive stream to an agent that was
 * killed), the transport is dropped and the request sent once more on a
 * fresh one, restarting the agent on the way, so the caller never sees it.
 */
async function withReconnect<T>(deps: WharfDeps, host: Host, method: AgentMethod | AgentStreamMethod, send: (agent: EnsuredAgent) => Promise<T>): Promise<T> {
  try {
    return await send(await reachAgent(deps, host));
  } catch (error) {
    if (!RESENDABLE.has(method) || !isTransportFailure(error)) throw error;
    deps.agents.drop(host.id);
    return await send(await reachAgent(deps, host));
  }
}

/** Calls the host's agent, mapping transport and agent failures to domain errors. */
export async function callAgent<M extends AgentMethod>(
  deps: WharfDeps,
  host: Host,
  method: M,
  params: AgentParams<M>,
  options: { timeoutMs?: number } = {},
): Promise<AgentResult<M>> {
  try {
    return await withReconnect(deps, host, method, ({ client }) => client.call(method, params, options));
  } catch (error) {
    // An agent's refusal proves the transport works; dropping it would also cut the host's open streams (logs, terminals).
    if (!(error instanceof AgentCallError)) deps.agents.drop(host.id);
    const failure = toHostError(error, host.name);
    await noteHostKey(deps, host, failure);
    throw failure;
  }
}

/**
 * Opens a streaming method of the host's agent. Failures, on opening or while
 * reading, are mapped like callAgent's; an abort through `options.signal`
 * surfaces as the AbortError it is.
 */
export async function openAgentStream<M extends AgentStreamMethod>(
  deps: WharfDeps,
  host: Host,
  method: M,
  params: AgentStreamParams<M>,
  options: StreamOptions = {},
): Promise<AsyncGenerator<AgentStreamData<M>, void, undefined>> {
  const fail = (error: unknown): unknown => {
    if (options.signal?.aborted) return error;
    // The agent answering with an error proves the transport works: keep it.
    if (!(error instanceof AgentCallError)) deps.agents.drop(host.id);
    return toHostError(error, host.name);
  };
  let frames: AsyncGenerator<AgentStreamData<M>, void, undefined>;
  try {
    frames = await withReconnect(deps, host, method, ({ client }) => client.stream(method, params, options));
  } catch (error) {
    throw fail(error);
  }
  return (async function* mapped() {
    try {
      yield* frames;
    } catch (error) {
      throw fail(error);
    }
  })();
}

export interface ConnectionStep {
  name: "ssh" | "agent" | "docker";
  ok: boolean;
  ms: number;
  detail: string;
}

/** Runs each layer separately so the user sees which one fails. Also refreshes status. */
export async function testConnection(deps: WharfDeps, host: Host) {
  const steps: ConnectionStep[] = [];
  let failure: WharfError | null = null;
  const timed = async <T>(name: ConnectionStep["name"], run: () => Promise<T>, describe: (value: T) => string): Promise<T | null> => {
    const started = performance.now();
    try {
      const value = await run();
      steps.push({ name, ok: true, ms: Math.round(performance.now() - started), detail: describe(value) });
      return value;
    } catch (error) {
      failure = toHostError(error, host.name);
      steps.push({ name, ok: false, ms: Math.round(performance.now() - started), detail: failure.message });
      return null;
    }
  };
  const target = await targetFor(deps, host);
  // A test must handshake anew: a pooled connection would skip the host-key check.
  deps.agents.drop(host.id);
  await deps.ssh.close(host.id);
  const ssh = await timed("ssh", () => deps.ssh.exec(target, ["true"]), () => `Signed in as ${host.username}, host key ${host.hostKeyFingerprint} matches`);
  const agent = ssh ? await timed("agent", () => reachAgent(deps, host), (a) => `Agent ${a.hello.agentVersion} answers${a.actions.length ? ` (${a.actions.join(", ")})` : ""}`) : null;
  const facts = agent
    ? await timed("docker", () => agent.client.call("hostFacts", {}), (f) => `Docker ${f.docker.version}, ${f.docker.containers.running} running container(s)`)
    : null;
  const failed = failure ?? new WharfError("HOST_UNREACHABLE", "Unreachable");
  await recordStatus(deps, host.id, facts ? { status: "ONLINE", facts, agentVersion: agent?.hello.agentVersion ?? null } : failedStatus(failed));
  if (!facts) await noteHostKey(deps, host, failed);
  return { ok: steps.every((step) => step.ok), steps };
}

type StatusUpdate =
  /** `projects`: null when the count failed (forgets the last one), undefined when not taken (keeps it). */
  | { status: "ONLINE"; facts: HostFacts; agentVersion: string | null; projects?: ComposeProjectCounts | null }
  | { status: Exclude<HostStatus, "ONLINE">; message: string };

/**
 * The one status a failure means, whoever saw it (Test connection, the
 * monitor, a pooled connection dropping): ERROR when the host answers but
 * something on it needs fixing (a changed host key, Docker down or refused),
 * OFFLINE when it cannot be reached.
 */
export function failedStatus(failure: WharfError): StatusUpdate & { status: "OFFLINE" | "ERROR" } {
  const broken = failure.reason === "HOST_KEY_MISMATCH" || failure.reason?.startsWith("DOCKER_") === true;
  return { status: broken ? "ERROR" : "OFFLINE", message: failure.message };
}

/**
 * After a HOST_KEY_MISMATCH, records the key the host presents instead and
 * when Wharf first saw it (kept while the same key is served), so the host
 * page can show both keys. Never throws: the caller reports the mismatch.
 */
export async function noteHostKey(deps: WharfDeps, host: Host, failure: WharfError): Promise<void> {
  if (failure.reason !== "HOST_KEY_MISMATCH") return;
  try {
    await recordSeenKey(deps, host, await scanHostKey({ address: host.address, port: host.port, timeoutMs: 10_000 }));
  } catch (error) {
    deps.log.warn(`Reading the changed host key of ${host.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Records a key other than the pinned one; its first-seen time stays while the host keeps presenting that key. */
export async function recordSeenKey(deps: WharfDeps, host: Host, seen: { algorithm: string; fingerprint: string }): Promise<void> {
  if (seen.fingerprint === host.hostKeyFingerprint) return;
  await deps.db.host.updateMany({
    where: { id: host.id, OR: [{ seenKeyFingerprint: null }, { seenKeyFingerprint: { not: seen.fingerprint } }] },
    data: { seenKeyAlgorithm: seen.algorithm, seenKeyFingerprint: seen.fingerprint, seenKeyAt: new Date() },
  });
}

async function recordStatus(deps: WharfDeps, hostId: string, update: StatusUpdate): Promise<void> {
  const now = new Date();
  await deps.db.host.updateMany({
    where: { id: hostId },
    data:
      update.status === "ONLINE"
        ? {
            status: "ONLINE",
            statusMessage: null,
            lastSeenAt: now,
            facts: update.facts,
            factsAt: now,
            // Signed in with the pinned key: any other key seen before is no longer served.
            seenKeyAlgorithm: null,
            seenKeyFingerprint: null,
            seenKeyAt: null,
            ...(update.agentVersion ? { agentVersion: update.agentVersion } : {}),
            ...(update.projects === undefined ? {} : { composeProjects: update.projects ? { at: update.projects.at.toISOString(), projects: update.projects.projects } : Prisma.DbNull }),
          }
        : { status: update.status, statusMessage: update.message },
  });
}

/** Refreshes one host's status and facts; never throws (the status records the failure). */
export async function refreshHost(deps: WharfDeps, host: Host): Promise<HostStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WharfError("HOST_TIMEOUT", `${host.name} did not answer within ${REFRESH_TIMEOUT_MS / 1000} s.`, "TIMEOUT")),
      REFRESH_TIMEOUT_MS,
    );
  });
  try {
    const { facts, projects, hello } = await Promise.race([
      withReconnect(deps, host, "hostFacts", async ({ client, hello }) => {
        const [facts, projects] = await Promise.all([
          client.call("hostFacts", {}),
          // Best effort: the host is up even when the count fails; lists then fall back to the recorded jobs.
          client.call("listContainers", { all: true }).then(
            async (containers) => countComposeProjects(containers, (await installation(deps)).id),
            () => null,
          ),
        ]);
        return { hello, facts, projects };
      }),
      timeout,
    ]);
    await recordStatus(deps, host.id, { status: "ONLINE", facts, projects, agentVersion: hello.agentVersion });
    if (host.status === "OFFLINE" || host.status === "ERROR") void publishEvent(deps, host.teamId, "host.online", { host: host.name, hostId: host.id });
    return "ONLINE";
  } catch (error) {
    deps.agents.drop(host.id);
    const failure = toHostError(error, host.name);
    const update = failedStatus(failure);
    await recordStatus(deps, host.id, update);
    if (host.status === "ONLINE") void publishEvent(deps, host.teamId, "host.offline", { host: host.name, hostId: host.id, error: update.message });
    await noteHostKey(deps, host, failure);
    return update.status;
  } finally {
    clearTimeout(timer);
  }
}

/** The monitor's sweep: it may install, upgrade and start agents, as a mutation may. */
export async function refreshHosts(deps: WharfDeps, where: { teamId?: string } = {}): Promise<Record<HostStatus, number>> {
  const hosts = await deps.db.host.findMany({ where });
  const limit = pLimit(REFRESH_CONCURRENCY);
  const statuses = await Promise.all(hosts.map((host) => limit(() => withAgentUse("manage", () => refreshHost(deps, host)))));
  const counts: Record<HostStatus, number> = { PENDING: 0, ONLINE: 0, OFFLINE: 0, ERROR: 0 };
  for (const status of statuses) counts[status] += 1;
  return counts;
}

export async function reinstallAgent(deps: WharfDeps, host: Host, actor: Actor) {
  try {
    const target = await targetFor(deps, host);
    const paths = agentPaths(host.agentDir);
    await deps.agents.install(target, paths);
    await deps.agents.start(target, paths);
    deps.agents.drop(host.id);
    const hello = await deps.agents.client(target, paths).call("hello", {});
    await deps.db.$transaction(async (tx) => {
      await tx.host.update({ where: { id: host.id }, data: { agentVersion: hello.agentVersion, agentUpgradedAt: new Date() } });
      await recordAudit(tx, {
        teamId: host.teamId,
        actor,
        action: "host.reinstall-agent",
        targetType: "host",
        targetId: host.id,
        summary: `Reinstalled the agent on ${host.name} (${hello.agentVersion})`,
      });
    });
    return { agentVersion: hello.agentVersion };
  } catch (error) {
    throw toHostError(error);
  }
}

export type { AgentAction };
