import { initTRPC, tracked, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/unstable-core-do-not-import";
import type { AuditSource, Role } from "@wharf/db";
import superjson, { type SuperJSONResult } from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z, ZodError } from "zod";

import type { WharfDeps } from "./deps";
import { invalidInput, type Problem, WharfError, type WharfErrorCode } from "./errors";
import { isPlainJson } from "./lib/plain-json";
import { type Permission, roleCan } from "./permissions";
import { effectiveRole, resolveResourceScope, type ResourceKind, type ResourceScope } from "./services/access";
import { cachedHostForTeam, cachedMembership } from "./services/access-cache";
import { withAgentUse } from "./services/agents";
import { type TokenGrant, tokenRefusal } from "./services/api-tokens";
import { recordRefusal } from "./services/audit";

export interface Session {
  userId: string;
  /** The server-side session row behind the cookie (already checked to exist); absent for in-process callers. */
  sessionId?: string;
  /** Set when the call comes with an API token: `userId` is then its creator, whose current role still bounds it. */
  token?: TokenGrant;
}

export interface Context {
  deps: WharfDeps;
  session: Session | null;
  /** Team chosen by the client (header); defaults to the user's first team. */
  requestedTeamId: string | null;
  ip: string | null;
  /** Who is calling through this context when not a browser, for the audit trail (a chat bot acting as its linked user). */
  source?: AuditSource;
}

/**
 * Every procedure declares `public: true`, `signedIn: true` (any signed-in
 * user, no team needed), or the permission it needs and the resource it acts
 * on. The permission matrix test walks the router and fails on any procedure
 * declaring none of these.
 */
// A type, not an interface: trpc-to-openapi needs meta assignable to Record<string, unknown>.
export type Meta = {
  public?: true;
  signedIn?: true;
  permission?: Permission;
  resource?: ResourceKind;
  /** Signed in, acting only on the caller's own account (profile, password, sessions): no team, no role. */
  self?: true;
  /** Exposed over REST (see openapi.ts); the procedure still goes through the same checks. */
  openapi?: OpenApiMeta["openapi"];
};

const TRPC_CODE: Record<WharfErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  HOST_UNREACHABLE: "BAD_GATEWAY",
  HOST_TIMEOUT: "GATEWAY_TIMEOUT",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** superjson both ways, except for outputs marked plain JSON: those are sent as superjson would, without its walk. */
export const transformer = {
  input: superjson,
  output: {
    serialize: (value: unknown): SuperJSONResult => (isPlainJson(value) ? ({ json: value } as SuperJSONResult) : superjson.serialize(value)),
    deserialize: (payload: SuperJSONResult): unknown => superjson.deserialize(payload),
  },
};

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    // Followed logs of a quiet service stay open through proxies; a client that hears nothing
    // (not even a ping) for 30 s reconnects, resuming from its last event id.
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const problems = cause instanceof WharfError ? (cause.problems ?? null) : null;
      return {
        ...shape,
        // tRPC's own message for a failed input is the issues as JSON: the fields stay in data, the message is for people.
        message: cause instanceof ZodError ? describeIssues(cause) : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          reason: cause instanceof WharfError ? (cause.reason ?? null) : null,
          fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : problems ? problemsByField(problems) : null,
          problems,
        },
      };
    },
  });

/** One sentence naming each field: "name: Use lowercase letters…; port: Ports run from 1 to 65535." */
function describeIssues(error: ZodError): string {
  const problems = error.issues.map((issue) => {
    const message = issue.message.replace(/\.$/, "");
    return { path: issue.path.map(String), message: issue.path.length > 0 ? `${issue.path.join(".")}: ${message}` : message };
  });
  return `${invalidInput(problems).message}.`;
}

/** Problems grouped by their top-level field, the shape zod's fieldErrors have. */
function problemsByField(problems: Problem[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const problem of problems) {
    const field = String(problem.path[0] ?? "");
    (fields[field] ??= []).push(problem.message);
  }
  return fields;
}

/** The one mapping of domain errors to tRPC errors (the REST routes use it for failures outside a procedure). */
export function toTrpcError(error: WharfError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

/** The one place mapping domain errors to tRPC errors (next() never throws: read result.error). */
const mapErrors = t.middleware(async ({ next, ctx }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof WharfError) throw toTrpcError(cause);
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.deps.log.error(`Unhandled error: ${result.error.cause?.stack ?? result.error.message}`);
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapErrors).meta({ public: true });

/** A token acts within its team only: never on its creator's account or other teams. */
function refuseTokens(session: Session): void {
  if (session.token) throw new WharfError("FORBIDDEN", "API tokens act on their team only; sign in to manage your account or teams.");
}

/** Signed in; acts on the user's own account or teams (listing them, creating one, accepting an invitation). */
export const userProcedure = t.procedure
  .use(mapErrors)
  .meta({ signedIn: true })
  .use(({ ctx, next }) => {
    if (!ctx.session) throw new WharfError("UNAUTHORIZED", "Sign in to continue.");
    refuseTokens(ctx.session);
    return next({ ctx: { ...ctx, session: ctx.session } });
  });

/** The active team as a call sees it: the role that applies to this call's resource, and the member's own grant. */
export interface ActiveTeam {
  id: string;
  /** The role in force for this call (viewer outside an environment-scoped grant). */
  role: Role;
  memberRole: Role;
  /** The environments the member's role is limited to; null when team-wide. */
  environmentIds: string[] | null;
  /** The environments this call touches; null when it acts on the team as a whole. */
  scope: ResourceScope;
}

/**
 * The one authorization check: membership of the active team, the resource
 * (from the raw input) in that team, and the declared permission held by the
 * role in force on the resource's environments.
 */
/** A permission check that failed, for the audit trail. */
export interface Refusal {
  teamId: string;
  role: Role;
  permission: Permission;
  message: string;
}

export async function authorize(
  deps: WharfDeps,
  userId: string,
  requestedTeamId: string | null,
  meta: Meta | undefined,
  rawInput: unknown,
  /** `fresh`: read the membership from the database, not the cache (mutations act on what they read). */
  {
    fresh = true,
    onRefused = () => Promise.resolve(),
    token,
  }: {
    fresh?: boolean;
    onRefused?: (refusal: Refusal) => Promise<void>;
    /** The API token the call comes with: its scope and environments narrow the creator's role, never widen it. */
    token?: TokenGrant | undefined;
  } = {},
): Promise<ActiveTeam> {
  if (!meta?.permission || !meta.resource) throw new WharfError("INTERNAL", "This procedure declares no permission or resource.");
  const permission = meta.permission;
  const membership = await cachedMembership(deps, userId, requestedTeamId, { fresh });
  const grant = membership.environmentIds ? `${membership.role.toLowerCase()} in some environments` : membership.role.toLowerCase();
  const refuse = async (role: Role, message: string): Promise<WharfError> => {
    await onRefused({ teamId: membership.teamId, role, permission, message });
    return new WharfError("FORBIDDEN", message);
  };
  if (!roleCan(membership.role, permission)) throw await refuse(membership.role, `Your role (${grant}) does not allow ${permission}.`);
  const scope = await resolveResourceScope(deps, membership.teamId, meta.resource, rawInput, { fresh });
  const role = effectiveRole(membership, scope);
  if (!roleCan(role, permission)) {
    throw await refuse(
      role,
      `Your role (${grant}) does not allow ${permission} ${scope ? "in this environment" : "on the whole team"}: you have viewer rights there.`,
    );
  }
  const tokenLimit = token ? tokenRefusal(token, permission, scope) : null;
  if (tokenLimit) throw await refuse(role, tokenLimit);
  return { id: membership.teamId, role, memberRole: membership.role, environmentIds: membership.environmentIds, scope };
}

/** The signed-in user's own account. */
export const accountProcedure = t.procedure
  .use(mapErrors)
  .meta({ self: true })
  .use(({ ctx, next }) => {
    const session = ctx.session;
    if (!session) throw new WharfError("UNAUTHORIZED", "Sign in to continue.");
    refuseTokens(session);
    return next({ ctx: { ...ctx, session } });
  });

/**
 * Signed in, a member of the active team, and holding the declared permission
 * on the declared resource; refusals are recorded in the audit trail. Only
 * mutations may install, upgrade or start an agent: queries and subscriptions
 * read what is there.
 */
export const teamProcedure = t.procedure.use(mapErrors).use(async ({ ctx, meta, next, type, path, getRawInput }) => {
  if (!ctx.session) throw new WharfError("UNAUTHORIZED", "Sign in to continue.");
  const session = ctx.session;
  const fresh = type === "mutation";
  const team = await authorize(ctx.deps, session.userId, ctx.requestedTeamId, meta, await getRawInput(), {
    fresh,
    onRefused: (refusal) => recordRefusal({ ...ctx, session }, { ...refusal, path }),
    token: session.token,
  });
  return withAgentUse(fresh ? "manage" : "read", async () => {
    const result = await next({ ctx: { ...ctx, session, team } });
    // What a mutation changed is read by this process's next call at once, not when its notification arrives.
    if (fresh) ctx.deps.access.forgetAll();
    return result;
  });
});

/** Loads `input.hostId` within the active team once, for every host-scoped procedure. */
export const hostProcedure = teamProcedure.input(z.object({ hostId: z.string().min(1) })).use(async ({ ctx, input, next, type }) => {
  const host = await cachedHostForTeam(ctx.deps, ctx.team.id, input.hostId, { fresh: type === "mutation" });
  return next({ ctx: { ...ctx, host } });
});

/**
 * Subscriptions: middleware sees only the call that returns the iterable, so
 * failures while iterating are mapped here, the same way.
 */
export async function* mapStreamErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  try {
    yield* source;
  } catch (error) {
    throw error instanceof WharfError ? toTrpcError(error) : error;
  }
}

/** A subscription's events, each with an id a reconnecting client sends back as `lastEventId`. */
export async function* trackedEvents<T>(source: AsyncIterable<T>, idOf: (event: T) => string) {
  for await (const event of mapStreamErrors(source)) yield tracked(idOf(event), event);
}

export type TeamContext = Context & { session: Session; team: ActiveTeam };
