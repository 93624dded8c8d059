/**
 * Push of a multi-layer image to a real registry (htpasswd auth): through
 * Wharf (API call -> SSH tunnel -> agent -> engine push with per-call auth,
 * progress streamed back) vs `docker push` run on the host's engine after a
 * `docker login`. Each sample pushes to a fresh, empty registry, so every
 * layer is uploaded both ways.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { WharfDeps } from "@wharf/api";

import { createTestUser } from "./api";
import { recordFigure } from "./bench-report";
import { addH1 } from "./bench-stacks";
import { childEnv } from "./env";
import { dockerCli, loadSandbox, type SandboxHost } from "./sandbox";
import { percentile } from "./stats";
import { buildLayeredImage, startTestRegistry } from "./test-registry";

const SAMPLES = 5;
const LAYERS = 8;
const LAYER_BYTES = 4 * 1024 * 1024;
const AUTH = { username: "bench", password: "bench-password" };
const IMAGE = "wharf-bench/layered:latest";

function rawPush(host: SandboxHost, address: string): number {
  const config = mkdtempSync(path.join(tmpdir(), "wharf-bench-docker-"));
  const docker = (args: string[], input?: string) =>
    execFileSync("docker", ["--config", config, ...args], { env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }), input, stdio: ["pipe", "pipe", "pipe"], timeout: 300_000 });
  try {
    docker(["login", "-u", AUTH.username, "--password-stdin", address], AUTH.password);
    docker(["tag", IMAGE, `${address}/bench/raw:1`]);
    const started = performance.now();
    docker(["push", "-q", `${address}/bench/raw:1`]);
    const elapsed = performance.now() - started;
    docker(["rmi", `${address}/bench/raw:1`]);
    return elapsed;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

export async function pushFigures(deps: WharfDeps): Promise<void> {
  const host = loadSandbox().hosts.find((h) => h.name === "h1");
  if (!host) throw new Error("sandbox host h1 missing");
  const owner = await createTestUser(deps);
  const hostId = await addH1(owner, host);
  buildLayeredImage(host, IMAGE, LAYERS, LAYER_BYTES);
  const wharf: number[] = [];
  const raw: number[] = [];
  try {
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      // Alternated, each on an empty registry: neither side finds layers already there.
      const forRaw = await startTestRegistry({ auth: AUTH });
      try {
        raw.push(rawPush(host, forRaw.address));
      } finally {
        await forRaw.stop();
      }
      const forWharf = await startTestRegistry({ auth: AUTH });
      try {
        const registry = await owner.caller.registry.create({ kind: "V2", name: `bench-${sample}`, url: `http://${forWharf.address}`, username: AUTH.username, password: AUTH.password });
        const started = performance.now();
        let digest = "";
        for await (const event of await owner.caller.registry.push({ hostId, image: IMAGE, registryId: registry.id, repository: "bench/wharf", tag: "1" })) {
          if (event.kind === "pushed") digest = event.digest;
        }
        wharf.push(performance.now() - started);
        if (!digest) throw new Error("the push through Wharf reported no digest");
        dockerCli(host, ["rmi", `${forWharf.address}/bench/wharf:1`]);
      } finally {
        await forWharf.stop();
      }
    }
  } finally {
    dockerCli(host, ["rmi", "-f", IMAGE]);
  }
  wharf.sort((a, b) => a - b);
  raw.sort((a, b) => a - b);
  const wharfMedian = percentile(wharf, 50);
  const rawMedian = percentile(raw, 50);
  const what = `${LAYERS}x${LAYER_BYTES / 1024 / 1024} MiB layers`;
  recordFigure({ part: "push", name: `push ${what} through Wharf, median`, value: wharfMedian, unit: "ms" });
  recordFigure({ part: "push", name: `docker push ${what}, median`, value: rawMedian, unit: "ms" });
  recordFigure({ part: "push", name: "push through Wharf vs docker push (median ratio)", value: wharfMedian / rawMedian, unit: "x", target: { max: 1.1 } });
}
