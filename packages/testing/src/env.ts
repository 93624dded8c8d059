import path from "node:path";
import { fileURLToPath } from "node:url";

import { z } from "zod";

/** The only reader of process.env in the test tooling. */
const schema = z.object({
  DATABASE_URL: z.string().optional(),
  WHARF_E2E_DATABASE_URL: z.string().optional(),
  WHARF_SANDBOX_STATE: z.string().default("/tmp/wharf-sandbox"),
  WHARF_TEST_STATE: z.string().default("/tmp/wharf-test"),
  WHARF_TEST_PG_PORT: z.coerce.number().int().default(55433),
  WHARF_KEEP_SANDBOX: z.stringbool().default(false),
  /** Set for a second process that must open what this one sealed (same master key file). */
  WHARF_TEST_DATA_DIR: z.string().optional(),
  /** How long the bench's `soak` part keeps a log stream open. */
  WHARF_BENCH_SOAK_MINUTES: z.coerce.number().positive().default(30),
  /** The bench's `log-burst` part also samples the page's CPU and prints where its time went (slows the page a little). */
  WHARF_BENCH_PROFILE: z.stringbool().default(false),
});

const parsed = schema.parse(process.env);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const testEnv = {
  databaseUrl: parsed.DATABASE_URL,
  e2eDatabaseUrl: parsed.WHARF_E2E_DATABASE_URL,
  sandboxState: parsed.WHARF_SANDBOX_STATE,
  stateDir: parsed.WHARF_TEST_STATE,
  postgresPort: parsed.WHARF_TEST_PG_PORT,
  keepSandbox: parsed.WHARF_KEEP_SANDBOX,
  dataDir: parsed.WHARF_TEST_DATA_DIR,
  soakMinutes: parsed.WHARF_BENCH_SOAK_MINUTES,
  profile: parsed.WHARF_BENCH_PROFILE,
};

/** Environment for child processes: this one, plus overrides. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
