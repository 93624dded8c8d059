import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import type { OidcSettings } from "@wharf/api";
import { parseOidcRoleMap } from "@wharf/api/lib/oidc-roles";
import { z } from "zod";

// The only module reading process.env (see STYLE.md, rule 9). Parsed once, on import.

const port = z.coerce.number().int().min(1, "must be a port number (1-65535)").max(65535, "must be a port number (1-65535)");
const optionalText = z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());
const optionalUrl = z.preprocess((value) => (value === "" ? undefined : value), z.url("must be a URL such as https://wharf.example.com").optional());

const schema = z.object({
  DATABASE_URL: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection URL")
      .optional(),
  ),
  NEXTAUTH_SECRET: z.preprocess((value) => (value === "" ? undefined : value), z.string().min(32, "must be at least 32 characters").optional()),
  WHARF_PUBLIC_URL: optionalUrl,
  NEXTAUTH_URL: optionalUrl,
  PORT: port.default(3000),
  WHARF_DATA_DIR: optionalText,
  WHARF_MASTER_KEY: optionalText,
  WHARF_AGENT_DIST: optionalText,
  WHARF_EMBEDDED_PG_PORT: port.default(5433),
  WHARF_MONITOR_INTERVAL_MS: z.coerce.number().int().min(1_000, "must be at least 1000 (ms)").default(15_000),
  // A stack's files (20 of 256 KiB) and variables, JSON-escaped, fit well within the default.
  WHARF_MAX_REQUEST_BYTES: z.coerce.number().int().min(64 * 1024, "must be at least 65536 (bytes)").default(10 * 1024 * 1024),
  WHARF_TRUSTED_PROXIES: z.coerce.number().int("must be a whole number of proxies").min(0, "must be 0 or more").max(10, "must be at most 10").default(0),
  // Optional OIDC sign-in: all of issuer, client id and secret, or none.
  WHARF_OIDC_ISSUER: optionalUrl,
  WHARF_OIDC_CLIENT_ID: optionalText,
  WHARF_OIDC_CLIENT_SECRET: optionalText,
  // The sign-in button's label, e.g. the provider's name.
  WHARF_OIDC_NAME: optionalText,
  // Where the ID token lists the user's groups.
  WHARF_OIDC_GROUPS_CLAIM: optionalText,
  WHARF_OIDC_ROLE_MAP: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        try {
          return parseOidcRoleMap(text ?? "");
        } catch (error) {
          ctx.addIssue({ code: "custom", message: `${(error as Error).message}; e.g. wharf-admins=admin,developers=deployer` });
          return z.NEVER;
        }
      }),
  ),
  WHARF_OIDC_TEAM: optionalText,
  // The bearer secret a Prometheus scraper sends to /api/metrics; unset, the route answers 404.
  WHARF_METRICS_TOKEN: z.preprocess((value) => (value === "" ? undefined : value), z.string().min(24, "must be at least 24 characters").optional()),
  // Set by Next.js itself while `next build` evaluates modules.
  NEXT_PHASE: optionalText,
})
  .refine((raw) => [raw.WHARF_OIDC_ISSUER, raw.WHARF_OIDC_CLIENT_ID, raw.WHARF_OIDC_CLIENT_SECRET].every((value) => value === undefined) || (raw.WHARF_OIDC_ISSUER && raw.WHARF_OIDC_CLIENT_ID && raw.WHARF_OIDC_CLIENT_SECRET), {
    path: ["WHARF_OIDC_ISSUER"],
    message: "OIDC needs WHARF_OIDC_ISSUER, WHARF_OIDC_CLIENT_ID and WHARF_OIDC_CLIENT_SECRET together",
  });

export interface OidcEnv extends OidcSettings {
  clientId: string;
  clientSecret: string;
  name: string;
  groupsClaim: string;
}

export interface Env {
  /** Null until the launcher supplies it (always set at run time of the server). */
  databaseUrl: string | null;
  authSecret: string | null;
  publicUrl: string;
  port: number;
  repoRoot: string;
  dataDir: string;
  masterKey: string | undefined;
  agentDistDir: string;
  embeddedPgPort: number;
  monitorIntervalMs: number;
  /** Largest API request body accepted; larger ones get 413 before they are read. */
  maxRequestBytes: number;
  /** Reverse proxies in front of Wharf whose X-Forwarded-For entries are believed (0: the socket address is the client). */
  trustedProxies: number;
  isBuildPhase: boolean;
  /** Null unless OIDC sign-in is configured. */
  oidc: OidcEnv | null;
  /** The secret /api/metrics asks for; null: metrics are off. */
  metricsToken: string | null;
}

/** The monorepo root: the closest ancestor whose package.json declares workspaces. */
function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in (JSON.parse(readFileSync(manifest, "utf8")) as object)) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function loadEnv(source: NodeJS.ProcessEnv): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Wharf cannot start: invalid environment variables\n${lines.join("\n")}`);
  }
  const raw = parsed.data;
  const repoRoot = findRepoRoot(process.cwd());
  return {
    databaseUrl: raw.DATABASE_URL ?? null,
    authSecret: raw.NEXTAUTH_SECRET ?? null,
    publicUrl: (raw.WHARF_PUBLIC_URL ?? raw.NEXTAUTH_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ""),
    port: raw.PORT,
    repoRoot,
    dataDir: path.resolve(repoRoot, raw.WHARF_DATA_DIR ?? ".data"),
    masterKey: raw.WHARF_MASTER_KEY,
    agentDistDir: path.resolve(repoRoot, raw.WHARF_AGENT_DIST ?? "apps/agent/dist"),
    embeddedPgPort: raw.WHARF_EMBEDDED_PG_PORT,
    monitorIntervalMs: raw.WHARF_MONITOR_INTERVAL_MS,
    maxRequestBytes: raw.WHARF_MAX_REQUEST_BYTES,
    trustedProxies: raw.WHARF_TRUSTED_PROXIES,
    isBuildPhase: raw.NEXT_PHASE === "phase-production-build",
    oidc:
      raw.WHARF_OIDC_ISSUER && raw.WHARF_OIDC_CLIENT_ID && raw.WHARF_OIDC_CLIENT_SECRET
        ? {
            issuer: raw.WHARF_OIDC_ISSUER.replace(/\/$/, ""),
            clientId: raw.WHARF_OIDC_CLIENT_ID,
            clientSecret: raw.WHARF_OIDC_CLIENT_SECRET,
            name: raw.WHARF_OIDC_NAME ?? "Single sign-on",
            groupsClaim: raw.WHARF_OIDC_GROUPS_CLAIM ?? "groups",
            roleMap: raw.WHARF_OIDC_ROLE_MAP,
            teamSlug: raw.WHARF_OIDC_TEAM ?? null,
          }
        : null,
    metricsToken: raw.WHARF_METRICS_TOKEN ?? null,
  };
}

export const env: Env = loadEnv(process.env);

export type ServerEnv = Env & { databaseUrl: string; authSecret: string };

/** The settings the running server cannot do without; the launcher always provides them. */
export function serverEnv(): ServerEnv {
  const { databaseUrl, authSecret } = env;
  if (databaseUrl && authSecret) return { ...env, databaseUrl, authSecret };
  const missing = [
    ...(databaseUrl ? [] : ["  - DATABASE_URL: not set (npm start -w @wharf/web starts an embedded Postgres and sets it)"]),
    ...(authSecret ? [] : ["  - NEXTAUTH_SECRET: not set (the launcher generates one in $WHARF_DATA_DIR/auth-secret)"]),
  ];
  throw new Error(`Wharf cannot serve requests: missing environment variables\n${missing.join("\n")}`);
}

/**
 * Hands the resolved Wharf settings to Next.js, which runs in the launcher's
 * process and reads its modules' settings from process.env when it loads them.
 */
export function applyServerEnv(resolved: { databaseUrl: string; authSecret: string }): void {
  Object.assign(process.env, {
    DATABASE_URL: resolved.databaseUrl,
    NEXTAUTH_SECRET: resolved.authSecret,
    NEXTAUTH_URL: env.publicUrl,
    WHARF_PUBLIC_URL: env.publicUrl,
    PORT: String(env.port),
    WHARF_DATA_DIR: env.dataDir,
    WHARF_AGENT_DIST: env.agentDistDir,
    WHARF_MONITOR_INTERVAL_MS: String(env.monitorIntervalMs),
    WHARF_TRUSTED_PROXIES: String(env.trustedProxies),
    // Next.js collects anonymous telemetry unless told otherwise; a self-hosted control plane should not phone home.
    NEXT_TELEMETRY_DISABLED: "1",
    // Signals are handled by Wharf's shutdown (server/wharf.ts), which stops the deployment runner before exiting.
    NEXT_MANUAL_SIG_HANDLE: "true",
  });
}

/**
 * Has Next.js take the configuration `next build` resolved (.next/required-server-files.json) as
 * it is, the way its own standalone server does, instead of loading next.config.ts at start.
 */
export function applyBuiltNextConfig(config: unknown): void {
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}
