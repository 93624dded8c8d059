/**
 * Stack-folder figures for `npm run bench -- folders` (printed, never passed
 * or failed), against sandbox host h1: deploy (deployment.start to SUCCEEDED)
 * of a stack whose folder holds 200 files, first on a host that has none of
 * them, then of a revision that changed one file (only that blob is sent);
 * median of 3 rounds, each with a new stack.
 */
import { randomBytes } from "node:crypto";

import { startDeploymentRunner, type WharfDeps } from "@wharf/api";

import { createTestUser, type TestUser } from "./api";
import { recordFigure } from "./bench-report";
import { addH1, runJob } from "./bench-stacks";
import { loadSandbox } from "./sandbox";
import { median } from "./stats";

const ROUNDS = 3;
const FILES = 200;
const FILE_BYTES = 8 * 1024;
const COMPOSE = `services:\n  app:\n    image: wharf-test/busybox:latest\n    init: true\n    command: ["sleep", "1000000"]\n    volumes:\n      - ./files:/files:ro\n`;

const ms = (value: number) => `${value.toFixed(0)} ms`;

function folder(): { path: string; content: string }[] {
  return Array.from({ length: FILES }, (_, i) => ({ path: `files/f${String(i).padStart(3, "0")}.txt`, content: randomBytes(FILE_BYTES).toString("base64") }));
}

/** Call to the job's end as the client saw it. */
async function deploy(owner: TestUser, stackId: string, action: "DEPLOY" | "DOWN" = "DEPLOY"): Promise<number> {
  const times = await runJob(owner, stackId, action);
  return times.seen - times.requested;
}

/** Blobs sent to hosts while `run` ran, as ensureTreeOnHost logs them. */
async function countingSent<T>(deps: WharfDeps, run: () => Promise<T>): Promise<{ result: T; sent: number }> {
  const info = deps.log.info;
  let sent = 0;
  deps.log.info = (message: string) => {
    sent += Number(/^Sent (\d+) of \d+ folder blob/.exec(message)?.[1] ?? 0);
    info(message);
  };
  try {
    return { result: await run(), sent };
  } finally {
    deps.log.info = info;
  }
}

export async function folderFigures(deps: WharfDeps): Promise<void> {
  const runner = startDeploymentRunner(deps, { pollMs: 200 });
  const owner = await createTestUser(deps);
  const host = loadSandbox().hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const hostId = await addH1(owner, host);
  process.stdout.write(`\nStack folders on h1 (${FILES} files of ${FILE_BYTES / 1024} KiB besides the compose file)\n`);
  const first: number[] = [];
  const changed: number[] = [];
  const sent = { first: 0, changed: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const tree = folder();
      const files = [{ path: "compose.yaml", content: COMPOSE }];
      const name = `bench-folder-${Date.now().toString(36)}`;
      const stack = await owner.caller.stack.create({ name, targets: [{ hostId }], revision: { files, tree } });
      const a = await countingSent(deps, () => deploy(owner, stack.id));
      first.push(a.result);
      sent.first = a.sent;
      const saved = await owner.caller.stack.revision({ stackId: stack.id, number: 1 });
      await owner.caller.stack.saveRevision({
        stackId: stack.id,
        files,
        tree: saved.tree.map((file, i) => (i === 0 ? { path: file.path, content: randomBytes(FILE_BYTES).toString("base64") } : { path: file.path, sha256: file.sha256 ?? "" })),
      });
      const b = await countingSent(deps, () => deploy(owner, stack.id));
      changed.push(b.result);
      sent.changed = b.sent;
      await deploy(owner, stack.id, "DOWN");
      await owner.caller.stack.remove({ stackId: stack.id, confirmName: name });
    }
  } finally {
    await runner.stop({ graceMs: 1_000 });
  }
  console.log(`  first deploy of the folder        ${ms(median(first))}  (${first.map(ms).join(", ")}; ${sent.first} blobs sent)`);
  console.log(`  deploy after one file changed     ${ms(median(changed))}  (${changed.map(ms).join(", ")}; ${sent.changed} blob sent)`);
  recordFigure({ part: "folders", name: `first deploy of a ${FILES}-file folder, median`, value: median(first), unit: "ms" });
  recordFigure({ part: "folders", name: "deploy after one file changed, median", value: median(changed), unit: "ms" });
  recordFigure({ part: "folders", name: "one file changed / first deploy", value: median(changed) / median(first), unit: "x", target: { max: 1 } });
  recordFigure({ part: "folders", name: "blobs sent after one file changed", value: sent.changed, unit: "blobs", target: { max: 1 } });
}
