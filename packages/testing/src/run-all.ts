/**
 * The one test command: installs and starts everything the suites need
 * (system packages, sandbox hosts, Postgres, the agent build, Chromium),
 * runs lint, typecheck, unit, integration and e2e, and ends with one line
 * "N passed, N failed" over all suites. Exits non-zero on any failure.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";

import { childEnv, REPO_ROOT } from "./env";
import { schemaDrift } from "./schema-drift";
import { announce as step, prepareTooling, runCommand as run, startHosts, startTestPostgres, stopSandbox } from "./stack";

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  /** What failed, a line each (name: first line of the error): repeated at the very end, where a truncated log still shows it. */
  failures?: string[];
}

const firstLine = (text: string | undefined): string => stripVTControlCharacters(text ?? "").trim().split("\n")[0]?.slice(0, 240) ?? "";

const results: SuiteResult[] = [];
const reportDir = path.join(REPO_ROOT, "test-results");

/** A check that counts as one test: lint, or a package's typecheck. Its output is printed when it ends (checks run side by side). */
async function checkSuite(name: string, command: string, args: string[]): Promise<void> {
  const started = Date.now();
  const code = await run(command, args, { buffered: { title: name } });
  results.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0, seconds: (Date.now() - started) / 1000 });
}

/** A check that counts as one test: the migrations and prisma/schema.prisma describe the same database. */
async function schemaSuite(migratedUrl: string, scratchUrl: string): Promise<void> {
  step("schema (migrations agree with prisma/schema.prisma)");
  const started = Date.now();
  const drift = await schemaDrift(migratedUrl, scratchUrl).catch((error: unknown) => [`the check could not run: ${String(error)}`]);
  for (const line of drift) process.stdout.write(`  ${line}\n`);
  results.push({ name: "schema", passed: drift.length === 0 ? 1 : 0, failed: drift.length === 0 ? 0 : 1, skipped: 0, seconds: (Date.now() - started) / 1000 });
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
  numFailedTestSuites: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

function vitestFailures(report: VitestJson): string[] {
  return report.testResults.flatMap((file) => {
    const where = path.relative(REPO_ROOT, file.name);
    const tests = file.assertionResults.filter((test) => test.status === "failed").map((test) => `${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    // A file that failed outside any test (an import, a hook) says so in its own message.
    return tests.length === 0 && file.status === "failed" ? [`${where}: ${firstLine(file.message)}`] : tests;
  });
}

async function vitestSuite(name: string, project: string, env: NodeJS.ProcessEnv): Promise<void> {
  step(name);
  const started = Date.now();
  const outputFile = path.join(reportDir, `vitest-${project}.json`);
  rmSync(outputFile, { force: true });
  const code = await run(
    "npx",
    ["vitest", "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${outputFile}`],
    { env },
  );
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(outputFile)) {
    results.push({ name, passed: 0, failed: 1, skipped: 0, seconds });
    return;
  }
  const report = JSON.parse(readFileSync(outputFile, "utf8")) as VitestJson;
  // A file that fails to load has no tests but is a failure all the same.
  const brokenFiles = code !== 0 && report.numFailedTests === 0 ? Math.max(report.numFailedTestSuites, 1) : 0;
  results.push({
    name,
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + report.numTodoTests,
    seconds,
    failures: vitestFailures(report),
  });
}

interface PlaywrightSuite {
  title: string;
  specs?: { title: string; file: string; line: number; tests: { status: string; results: { error?: { message?: string } }[] }[] }[];
  suites?: PlaywrightSuite[];
}

interface PlaywrightJson {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  suites: PlaywrightSuite[];
}

function playwrightFailures(suites: PlaywrightSuite[]): string[] {
  return suites.flatMap((suite) => [
    ...(suite.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((test) => test.status === "unexpected")
        .map((test) => `${spec.file}:${spec.line} › ${spec.title}: ${firstLine(test.results.at(-1)?.error?.message)}`),
    ),
    ...playwrightFailures(suite.suites ?? []),
  ]);
}

async function playwrightSuite(env: NodeJS.ProcessEnv): Promise<void> {
  step("e2e (Playwright, Chromium)");
  const started = Date.now();
  const outputFile = path.join(reportDir, "playwright.json");
  rmSync(outputFile, { force: true });
  const code = await run("npx", ["playwright", "test", "--config", "e2e/playwright.config.ts"], {
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: outputFile },
  });
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(outputFile)) {
    results.push({ name: "e2e", passed: 0, failed: 1, skipped: 0, seconds });
    return;
  }
  const { stats, suites } = JSON.parse(readFileSync(outputFile, "utf8")) as PlaywrightJson;
  const failed = stats.unexpected + (code !== 0 && stats.unexpected === 0 ? 1 : 0);
  results.push({ name: "e2e", passed: stats.expected + stats.flaky, failed, skipped: stats.skipped, seconds, failures: playwrightFailures(suites) });
}

async function main(): Promise<number> {
  mkdirSync(reportDir, { recursive: true });
  const started = Date.now();
  await prepareTooling();
  // Lint and typecheck need neither hosts nor a database: they run while those start, and beside each other.
  const checks = Promise.all([checkSuite("lint", "npx", ["eslint", "."]), checkSuite("typecheck", "npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"])]);
  const hostsAndDatabase = startHosts(2).then(() => startTestPostgres(["wharf_test", "wharf_e2e", "wharf_schema"]));
  // Both settle before anything goes on, so a failed start never leaves a check running behind it.
  const [postgresStart] = await Promise.allSettled([hostsAndDatabase, checks]);
  if (postgresStart.status === "rejected") {
    await stopSandbox();
    throw postgresStart.reason;
  }
  const postgres = postgresStart.value;
  const env = childEnv({ DATABASE_URL: postgres.url, WHARF_E2E_DATABASE_URL: postgres.urlFor("wharf_e2e") });

  try {
    // Before the suites: wharf_test is then exactly what the migrations make.
    await schemaSuite(postgres.url, postgres.urlFor("wharf_schema"));
    await vitestSuite("unit", "unit", env);
    // Before integration: a test there runs the production server (apps/web/dist/server.mjs) as users do.
    step("Web build");
    const buildCode = await run("npm", ["run", "build", "-w", "@wharf/web"], { env });
    if (buildCode !== 0) results.push({ name: "web build", passed: 0, failed: 1, skipped: 0, seconds: 0 });
    await vitestSuite("integration", "integration", env);
    if (buildCode === 0) await playwrightSuite(env);
  } finally {
    await postgres.stop().catch(() => undefined);
    await stopSandbox();
  }

  const total = results.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
  process.stdout.write("\nSuite results:\n");
  for (const r of results) {
    process.stdout.write(`  ${r.name.padEnd(14)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(1)} s\n`);
  }
  process.stdout.write(`  total time ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`);
  const failures = results.flatMap((r) => (r.failures ?? []).map((line) => `  ${r.name}: ${line}`));
  if (failures.length > 0) process.stdout.write(`Failed:\n${failures.join("\n")}\n\n`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}\n`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\nThe test run could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(1);
  },
);
