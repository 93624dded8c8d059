import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { invalidInput, WharfError } from "../errors";
import { toHostError } from "../lib/connection-errors";
import { agentPaths } from "./agents";
import { type Actor, recordAudit } from "./audit";
import { loadCredentialSecret } from "./credentials";
import {
  assertConfirmedKey,
  createHostInput,
  fingerprint,
  forgetConnection,
  hostAddress,
  hostName,
  noteHostKey,
  recordSeenKey,
  resolveCredential,
  type ResolvedCredential,
  saveCredential,
  scanHostKeyForAdd,
  sshPort,
  sshUsername,
  targetFor,
  type TrialAgent,
  withTrialAgent,
} from "./hosts";

/** Refuses a change that would pull the connection from under a queued or running job. */
export async function assertHostIdle(deps: WharfDeps, host: Host, doing: string): Promise<void> {
  const busy = await deps.db.deployment.findFirst({
    where: { hostId: host.id, status: { in: ["QUEUED", "RUNNING"] } },
    select: { action: true, status: true, stack: { select: { name: true } } },
  });
  if (busy) {
    throw new WharfError(
      "CONFLICT",
      `A ${busy.action.toLowerCase()} of ${busy.stack.name} on ${host.name} is ${busy.status.toLowerCase()}: wait for it or cancel it before ${doing}.`,
      "JOB_ACTIVE",
    );
  }
}

/** Only the fields that change; address and port together with the fingerprint confirmed after scanning them. */
export const updateHostInput = z.object({
  name: hostName.optional(),
  address: hostAddress.optional(),
  port: sshPort.optional(),
  username: sshUsername.optional(),
  credential: createHostInput.shape.credential.optional(),
  hostKeyFingerprint: fingerprint.optional(),
});
export type UpdateHostInput = z.infer<typeof updateHostInput>;

/** What the host's record becomes after a successful connection test. */
function connectedData(trial: TrialAgent) {
  const now = new Date();
  return {
    agentDir: trial.agentDir,
    agentVersion: trial.ensured.hello.agentVersion,
    ...(trial.upgradedAt ? { agentUpgradedAt: trial.upgradedAt } : {}),
    status: "ONLINE" as const,
    statusMessage: null,
    lastSeenAt: now,
    facts: trial.facts,
    factsAt: now,
  };
}

/**
 * Edits a host in place (same id, so its stacks, jobs and audit trail stay).
 * A change of address, port, user or key is tested for real first, the way
 * adding a host is; nothing is saved when the test fails.
 */
export async function updateHost(deps: WharfDeps, host: Host, actor: Actor, input: UpdateHostInput) {
  const next = { name: input.name ?? host.name, address: input.address ?? host.address, port: input.port ?? host.port, username: input.username ?? host.username };
  const moved = next.address !== host.address || next.port !== host.port;
  const newKey = input.credential !== undefined && !(input.credential.type === "existing" && input.credential.credentialId === host.credentialId);
  const changes = [
    ...(next.name !== host.name ? [`name ${host.name} → ${next.name}`] : []),
    ...(moved ? [`address ${host.address}:${host.port} → ${next.address}:${next.port}`] : []),
    ...(next.username !== host.username ? [`user ${host.username} → ${next.username}`] : []),
    ...(newKey ? ["SSH key"] : []),
  ];
  if (changes.length === 0) return { id: host.id, changes };
  if (next.name !== host.name && (await deps.db.host.findFirst({ where: { teamId: host.teamId, name: next.name, NOT: { id: host.id } }, select: { id: true } }))) {
    throw invalidInput([{ path: ["name"], message: `A host named ${next.name} already exists in this team: pick another name.` }]);
  }
  if (moved && !input.hostKeyFingerprint) {
    throw invalidInput([{ path: ["hostKeyFingerprint"], message: `Scan the host key of ${next.address}:${next.port} and confirm its fingerprint.` }]);
  }
  if (!moved && input.hostKeyFingerprint && input.hostKeyFingerprint !== host.hostKeyFingerprint) {
    throw new WharfError(
      "PRECONDITION_FAILED",
      `${host.name} keeps its address, so its pinned key ${host.hostKeyFingerprint} stays: a new key at the same address is accepted on the host page, after typing the host's name.`,
      "HOST_KEY_MISMATCH",
    );
  }
  const reconnect = moved || newKey || next.username !== host.username;
  if (!reconnect) {
    await deps.db.$transaction(async (tx) => {
      await tx.host.update({ where: { id: host.id }, data: { name: next.name } });
      await recordAudit(tx, { teamId: host.teamId, actor, action: "host.update", targetType: "host", targetId: host.id, summary: `Edited host ${next.name}: ${changes.join(", ")}` });
    });
    return { id: host.id, changes };
  }
  await assertHostIdle(deps, host, "changing how Wharf connects to it");
  try {
    const credential: ResolvedCredential = input.credential && newKey
      ? await resolveCredential(deps, host.teamId, input.credential)
      : { existingId: host.credentialId, secret: await loadCredentialSecret(deps, host.credentialId), pasted: null };
    const pinned = moved && input.hostKeyFingerprint ? await assertConfirmedKey(next, input.hostKeyFingerprint) : { algorithm: host.hostKeyAlgorithm, fingerprint: host.hostKeyFingerprint };
    const keyChanged = pinned.fingerprint !== host.hostKeyFingerprint;
    const connection = { address: next.address, port: next.port, username: next.username, ...credential.secret, hostKeyFingerprint: pinned.fingerprint };
    await withTrialAgent(deps, connection, (trial) =>
      deps.db.$transaction(async (tx) => {
        const credentialId = await saveCredential(deps, tx, host.teamId, next.name, credential);
        if (keyChanged) await keepPastKey(tx, host, actor);
        await tx.host.update({
          where: { id: host.id },
          data: {
            ...next,
            credentialId,
            ...connectedData(trial),
            ...(keyChanged ? { hostKeyAlgorithm: pinned.algorithm, hostKeyFingerprint: pinned.fingerprint, keyPinnedAt: new Date(), ...NO_SEEN_KEY } : {}),
          },
        });
        await recordAudit(tx, {
          teamId: host.teamId,
          actor,
          action: "host.update",
          targetType: "host",
          targetId: host.id,
          summary: `Edited host ${next.name}: ${changes.join(", ")}${keyChanged ? `; pinned ${pinned.algorithm} key ${pinned.fingerprint} (was ${host.hostKeyFingerprint})` : ""}`,
          data: { agentVersion: trial.ensured.hello.agentVersion, agentActions: trial.ensured.actions },
        });
      }),
    );
    return { id: host.id, changes };
  } catch (error) {
    const failure = toHostError(error);
    await recordAudit(deps.db, {
      teamId: host.teamId,
      actor,
      action: "host.update_failed",
      targetType: "host",
      targetId: host.id,
      summary: `Could not edit host ${host.name} (${changes.join(", ")}): ${failure.message}`,
      data: { code: failure.code, reason: failure.reason ?? null },
    }).catch((auditError: unknown) => deps.log.error(`Recording a failed host edit failed: ${String(auditError)}`));
    throw failure;
  } finally {
    // Whatever was pooled or verified for the old settings must not be reused.
    await forgetConnection(deps, host.id);
  }
}

const NO_SEEN_KEY = { seenKeyAlgorithm: null, seenKeyFingerprint: null, seenKeyAt: null };

async function keepPastKey(tx: Parameters<Parameters<WharfDeps["db"]["$transaction"]>[0]>[0], host: Host, actor: Actor): Promise<void> {
  await tx.pastHostKey.create({
    data: {
      hostId: host.id,
      algorithm: host.hostKeyAlgorithm,
      fingerprint: host.hostKeyFingerprint,
      address: host.address,
      port: host.port,
      pinnedAt: host.keyPinnedAt,
      replacedByLabel: actor.label,
    },
  });
}

export const acceptHostKeyInput = z.object({
  /** The new key's fingerprint as the page showed it: a key that changed again since is not accepted blindly. */
  fingerprint,
  confirmName: z.string().trim(),
});
export type AcceptHostKeyInput = z.infer<typeof acceptHostKeyInput>;

/**
 * Re-pins a host whose key changed (a rebuilt machine): after the user typed
 * the host's name, checks the host still serves the key they saw, signs in
 * with it for real, then pins it; the old key goes to the host's key history.
 */
export async function acceptHostKey(deps: WharfDeps, host: Host, actor: Actor, input: AcceptHostKeyInput) {
  if (input.confirmName !== host.name) throw invalidInput([{ path: ["confirmName"], message: `Type the host's name (${host.name}) to confirm.` }]);
  if (!host.seenKeyFingerprint) {
    throw new WharfError("PRECONDITION_FAILED", `${host.name} has presented no other key than its pinned one: use Test connection to check it again.`, "NO_NEW_KEY");
  }
  if (input.fingerprint !== host.seenKeyFingerprint) {
    throw new WharfError("CONFLICT", `The key ${host.name} presents changed again (now ${host.seenKeyFingerprint}): reload the page and compare it before accepting.`, "HOST_KEY_MISMATCH");
  }
  await assertHostIdle(deps, host, "changing its key");
  const seen = await scanHostKeyForAdd(host);
  if (seen.fingerprint !== input.fingerprint) {
    await recordSeenKey(deps, host, seen);
    throw new WharfError(
      "CONFLICT",
      `${host.address}:${host.port} now presents ${seen.fingerprint}, not the ${input.fingerprint} you accepted: nothing was changed. Check the host before trying again.`,
      "HOST_KEY_MISMATCH",
    );
  }
  const { hostId: _pinnedUnder, ...connection } = await targetFor(deps, host);
  try {
    await withTrialAgent(deps, { ...connection, hostKeyFingerprint: seen.fingerprint }, (trial) =>
      deps.db.$transaction(async (tx) => {
        await keepPastKey(tx, host, actor);
        await tx.host.update({
          where: { id: host.id },
          data: { hostKeyAlgorithm: seen.algorithm, hostKeyFingerprint: seen.fingerprint, keyPinnedAt: new Date(), ...NO_SEEN_KEY, ...connectedData(trial) },
        });
        await recordAudit(tx, {
          teamId: host.teamId,
          actor,
          action: "host.key.accept",
          targetType: "host",
          targetId: host.id,
          summary: `Accepted the new ${seen.algorithm} key ${seen.fingerprint} of ${host.name} (replaces ${host.hostKeyFingerprint}, first seen ${host.seenKeyAt?.toISOString() ?? "now"})`,
          data: { previous: host.hostKeyFingerprint, accepted: seen.fingerprint },
        });
      }),
    );
  } finally {
    await forgetConnection(deps, host.id);
  }
  return { fingerprint: seen.fingerprint };
}

export const agentLogInput = z.object({ lines: z.number().int().min(1).max(1_000).default(200) });

/**
 * The last lines of the agent's own log, read over SSH rather than through
 * the agent, so it can be read when the agent will not start.
 */
export async function agentLog(deps: WharfDeps, host: Host, input: z.infer<typeof agentLogInput>) {
  const path = agentPaths(host.agentDir).log;
  try {
    const result = await deps.ssh.exec(await targetFor(deps, host), ["tail", "-n", String(input.lines), "--", path], { timeoutMs: 30_000 });
    if (result.code !== 0) return { path, lines: [], missing: true };
    const lines = result.stdout.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return { path, lines, missing: false };
  } catch (error) {
    const failure = toHostError(error, host.name);
    await noteHostKey(deps, host, failure);
    throw failure;
  }
}
