import type { Role } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound } from "../errors";
import { type AccessRead, cachedHostForTeam } from "./access-cache";
import { resolveEnvironmentId } from "./environments";
import type { ActiveMembership } from "./teams";

/**
 * What a procedure acts on. The authorization middleware reads the resource's
 * id from the raw input, checks it belongs to the active team (NOT_FOUND
 * otherwise, so ids of other teams reveal nothing) and finds the environments
 * it touches, against which an environment-scoped grant is checked.
 *
 * - team: the team as a whole (lists, members, keys, audit); no environment.
 * - environment: `input.environmentId` (default: the team's first environment).
 * - host: `input.hostId`, plus `input.environmentId` when it moves the host.
 * - stack: `input.stackId`; the hosts named by `input.hostId`/`input.hostIds`
 *   when given, else the stack's targets plus any new `input.targets`.
 *   Without `stackId` (creation): the hosts of `input.targets`.
 * - deployment: `input.deploymentId` and its host.
 * - credential: `input.credentialId` when given; no environment.
 * - approval: `input.requestId`, and the protected environments it asks for.
 */
export const RESOURCE_KINDS = ["team", "environment", "host", "stack", "deployment", "credential", "approval"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Environments the call touches; null when it acts on the team as a whole. */
export type ResourceScope = string[] | null;

const id = z.string().min(1).max(200);
// Only the ids are read here, loosely: the procedure's own input schema still validates the whole input.
const rawRefs = z
  .object({
    environmentId: id.optional().catch(undefined),
    hostId: id.optional().catch(undefined),
    hostIds: z.array(id).max(100).optional().catch(undefined),
    stackId: id.optional().catch(undefined),
    deploymentId: id.optional().catch(undefined),
    credentialId: id.optional().catch(undefined),
    requestId: id.optional().catch(undefined),
    targets: z
      .array(z.object({ hostId: id }).loose())
      .max(100)
      .optional()
      .catch(undefined),
  })
  .loose()
  .catch({});

type Refs = z.infer<typeof rawRefs>;

async function hostEnvironments(deps: WharfDeps, teamId: string, hostIds: string[]): Promise<string[]> {
  if (hostIds.length === 0) return [];
  const hosts = await deps.db.host.findMany({ where: { teamId, id: { in: hostIds } }, select: { environmentId: true } });
  if (hosts.length !== new Set(hostIds).size) throw notFound("That host");
  return hosts.map((host) => host.environmentId);
}

async function stackEnvironments(deps: WharfDeps, teamId: string, refs: Refs): Promise<string[]> {
  const named = refs.hostId ? [refs.hostId] : refs.hostIds;
  if (refs.stackId) {
    const stack = await deps.db.stack.findFirst({
      where: { id: refs.stackId, teamId },
      select: { targets: { select: { host: { select: { environmentId: true } } } } },
    });
    if (!stack) throw notFound("That stack");
    if (named) return hostEnvironments(deps, teamId, named);
    const current = stack.targets.map((target) => target.host.environmentId);
    return [...current, ...(await hostEnvironments(deps, teamId, (refs.targets ?? []).map((t) => t.hostId)))];
  }
  return hostEnvironments(deps, teamId, (refs.targets ?? []).map((t) => t.hostId));
}

async function environmentsOf(deps: WharfDeps, teamId: string, kind: ResourceKind, refs: Refs, read: AccessRead): Promise<string[]> {
  switch (kind) {
    case "team":
      return [];
    case "credential": {
      if (refs.credentialId && !(await deps.db.sshCredential.findFirst({ where: { id: refs.credentialId, teamId }, select: { id: true } }))) {
        throw notFound("That SSH key");
      }
      return [];
    }
    case "environment":
      return [await resolveEnvironmentId(deps.db, teamId, refs.environmentId)];
    case "host": {
      if (!refs.hostId) throw notFound("That host");
      // Read like the host procedure's own row: a query checks from the access cache, with no read of its own.
      const host = await cachedHostForTeam(deps, teamId, refs.hostId, read);
      return refs.environmentId ? [host.environmentId, await resolveEnvironmentId(deps.db, teamId, refs.environmentId)] : [host.environmentId];
    }
    case "stack":
      return stackEnvironments(deps, teamId, refs);
    case "deployment": {
      const deployment = refs.deploymentId
        ? await deps.db.deployment.findFirst({ where: { id: refs.deploymentId, stack: { teamId } }, select: { host: { select: { environmentId: true } } } })
        : null;
      if (!deployment) throw notFound("That deployment");
      return [deployment.host.environmentId];
    }
    case "approval": {
      const request = refs.requestId
        ? await deps.db.approvalRequest.findFirst({ where: { id: refs.requestId, teamId }, select: { environmentIds: true } })
        : null;
      if (!request) throw notFound("That approval request");
      return request.environmentIds;
    }
  }
}

export async function resolveResourceScope(deps: WharfDeps, teamId: string, kind: ResourceKind, rawInput: unknown, read: AccessRead): Promise<ResourceScope> {
  const environments = await environmentsOf(deps, teamId, kind, rawRefs.parse(rawInput ?? {}), read);
  return environments.length > 0 ? [...new Set(environments)] : null;
}

/**
 * The role that applies to a call: a team-wide member's role everywhere; an
 * environment-scoped member's role only when every environment the call
 * touches is in the grant, viewer otherwise (and for team-wide actions).
 */
export function effectiveRole(membership: Pick<ActiveMembership, "role" | "environmentIds">, scope: ResourceScope): Role {
  const granted = membership.environmentIds;
  if (granted === null) return membership.role;
  const inScope = scope !== null && scope.every((environmentId) => granted.includes(environmentId));
  return inScope ? membership.role : "VIEWER";
}
