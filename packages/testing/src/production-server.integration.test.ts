import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { WharfDeps } from "@wharf/api";
import { BASE_FILE, ownerWithHosts, removeProject, sandboxHost, SLOW, uniqueName, waitForJob } from "@wharf/api/test-support/stacks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { closeWharfDeps, type TestUser } from "./api";
import { childEnv, REPO_ROOT, testEnv } from "./env";
import { processesMentioning } from "./processes";

// The production start, as the README, the Docker image and the e2e suite run it (built by `npm run build -w @wharf/web`).
const SERVER = path.join(REPO_ROOT, "apps/web/dist/server.mjs");
const PORT = 3391;
// Compose waits a minute for the gate: still running whatever the grace period of the shutdown.
const HELD = SLOW.replace("sleep 8;", "sleep 60;");

let deps: WharfDeps;
let owner: TestUser;
let hostIds: Record<string, string>;
const projects: string[] = [];

beforeAll(async () => {
  ({ deps, owner, hostIds } = await ownerWithHosts(["h1"]));
});

afterAll(async () => {
  // Compose outlives the control plane on the host; without its containers it gives up at once.
  for (const project of projects) removeProject(sandboxHost("h1"), project);
  const deadline = Date.now() + 30_000;
  while (projects.some((project) => processesMentioning(project).length > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  await closeWharfDeps(deps);
});

function startServer(): { child: ChildProcess; output: () => string } {
  const url = `http://127.0.0.1:${PORT}`;
  const child = spawn(process.execPath, [SERVER], {
    cwd: REPO_ROOT,
    env: childEnv({
      DATABASE_URL: testEnv.databaseUrl ?? "",
      PORT: String(PORT),
      WHARF_PUBLIC_URL: url,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: "a-test-secret-of-at-least-32-characters",
      // The test's own master key: the server must open the SSH key this process sealed.
      WHARF_DATA_DIR: deps.config.dataDir,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { child, output: () => text };
}

async function waitForOutput(output: () => string, child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before printing ${pattern}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`the server did not print ${pattern} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Node processes whose parent is `pid`. */
function nodeChildren(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[1]) === pid && readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "node";
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("the production server process", () => {
  it("is one Node process, without the SWC compiler, that SIGTERM stops, recording the job it was running as stopped", async () => {
    const { child, output } = startServer();
    try {
      await waitForOutput(output, child, /Wharf is running at/);
      expect(child.pid).toBeDefined();
      expect(nodeChildren(child.pid ?? 0)).toEqual([]);
      // Started from the configuration the build resolved: Next.js compiled no next.config.ts, so its SWC binary (28 MiB resident) is not loaded.
      expect(readFileSync(`/proc/${child.pid}/maps`, "utf8")).not.toMatch(/next-swc/);

      const name = uniqueName("sigterm");
      projects.push(name);
      const stack = await owner.caller.stack.create({ name, targets: [{ hostId: hostIds.h1 ?? "" }], revision: { files: [{ path: BASE_FILE, content: HELD }] } });
      // Queued here, run by the server's runner (this process runs none).
      const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
      await waitForJob(deps, job?.id ?? "", (j) => j.status === "RUNNING" && j.runnerId !== null);

      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
      child.kill("SIGTERM");
      // The server's own shutdown ends the process (143 = 128 + SIGTERM), rather than the signal killing it.
      expect(await exited).toEqual({ code: 143, signal: null });
      expect(output()).toMatch(/SIGTERM: stopping the deployment runner/);
      const stopped = await deps.db.deployment.findUniqueOrThrow({ where: { id: job?.id ?? "" } });
      expect(stopped, `the server said:\n${output()}`).toMatchObject({ status: "FAILED", reason: "CONTROL_PLANE_STOPPED" });
    } finally {
      child.kill("SIGKILL");
    }
  });
});
