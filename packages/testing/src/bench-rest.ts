/**
 * The REST status endpoint under load: GET /api/v1/stacks (every stack with
 * its state on each host) for a team of 100 stacks on 10 hosts, beside a
 * route of the same server answering a constant.
 *
 * Honest about what it measures: the hosts are database rows, because the
 * status list reads only the database (jobs and the monitor's last count of
 * containers), never a live agent; a live agent per row would measure SSH,
 * not the API. The server is the production one (`node apps/web/dist/server.mjs`),
 * and the constant route beside it is its /api/live; the load comes from
 * autocannon in a separate process on loopback.
 */
import { execFile } from "node:child_process";
import path from "node:path";

import type { WharfDeps } from "@wharf/api";
import { seedRows, tokenFor } from "@wharf/api/test-support/rest";
import { z } from "zod";

import { createTestUser } from "./api";
import { recordFigure } from "./bench-report";
import { childEnv, REPO_ROOT } from "./env";
import { startWebServer } from "./web-server";

const DURATION_S = 8;
const CONNECTIONS = [1, 4, 16, 32];
const P99_TARGET_MS = 50;
const WEB_PORT = 3291;

const result = z.object({
  latency: z.object({ p50: z.number(), p99: z.number() }),
  requests: z.object({ average: z.number() }),
  non2xx: z.number(),
  errors: z.number(),
});
type Run = z.infer<typeof result>;

/** One autocannon run in its own process, read from its JSON report. */
function autocannon(url: string, connections: number, headers: Record<string, string>): Promise<Run> {
  const args = [path.join(REPO_ROOT, "node_modules/autocannon/autocannon.js"), "--json", "-c", String(connections), "-d", String(DURATION_S)];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: childEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(new Error(`autocannon failed: ${error.message}`));
      else resolve(result.parse(JSON.parse(stdout)));
    });
  });
}

export async function restFigures(deps: WharfDeps, databaseUrl: string): Promise<void> {
  const owner = await createTestUser(deps);
  await seedRows(deps, owner.teamId, { hosts: 10, stacksPerHost: 10, prefix: "bench" });
  const { secret } = await tokenFor(deps, owner.teamId, owner.userId, { name: "bench", scope: "READ" });
  const server = await startWebServer({ databaseUrl, port: WEB_PORT, dataDir: deps.config.dataDir });
  try {
    const auth = { authorization: `Bearer ${secret}` };
    const check = await fetch(`${server.url}/api/v1/stacks`, { headers: auth });
    const stacks = z.array(z.object({ targets: z.array(z.unknown()) })).parse(await check.json());
    if (stacks.length !== 100) throw new Error(`expected 100 stacks, the endpoint listed ${stacks.length}`);

    const constant = await autocannon(`${server.url}/api/live`, 1, {});
    const single = await autocannon(`${server.url}/api/v1/stacks`, 1, auth);
    let best: { connections: number; run: Run } | null = null;
    for (const connections of CONNECTIONS) {
      const run = connections === 1 ? single : await autocannon(`${server.url}/api/v1/stacks`, connections, auth);
      if (run.non2xx > 0 || run.errors > 0) throw new Error(`the status endpoint failed under load: ${run.non2xx} non-2xx, ${run.errors} errors`);
      process.stdout.write(`rest: ${connections} connections: ${run.requests.average.toFixed(0)} req/s, p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms\n`);
      if (run.latency.p99 < P99_TARGET_MS && (!best || run.requests.average > best.run.requests.average)) best = { connections, run };
    }
    const part = "rest";
    recordFigure({ part, name: "status (100 stacks, 10 hosts): req/s with p99 < 50 ms", value: best?.run.requests.average ?? 0, unit: "req/s" });
    recordFigure({ part, name: `  at that load: connections`, value: best?.connections ?? 0, unit: "conns" });
    recordFigure({ part, name: "status p50, 1 connection", value: single.latency.p50, unit: "ms" });
    recordFigure({ part, name: "status p99, 1 connection", value: single.latency.p99, unit: "ms", target: { max: P99_TARGET_MS } });
    recordFigure({ part, name: "constant route p50, 1 connection", value: constant.latency.p50, unit: "ms" });
    recordFigure({ part, name: "constant route p99, 1 connection", value: constant.latency.p99, unit: "ms" });
    recordFigure({ part, name: "constant route req/s, 1 connection", value: constant.requests.average, unit: "req/s" });
    recordFigure({ part, name: "status req/s, 1 connection", value: single.requests.average, unit: "req/s" });
  } finally {
    await server.stop();
  }
}
