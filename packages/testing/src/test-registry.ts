/**
 * A real container registry (CNCF distribution, Debian's `docker-registry`)
 * for one test or bench: its own storage, optional htpasswd basic auth, on a
 * free port. It listens on every address of this machine so that each
 * sandbox host reaches it through its own namespace's root end (10.231.N.1),
 * which the hosts' engines already trust as an insecure registry, and the
 * test process reaches it on loopback to check what was pushed.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { childEnv } from "./env";
import { freePort } from "./ports";
import { stopChild } from "./processes";
import { loadSandbox, type SandboxHost, sandboxHost } from "./sandbox";
import { timeUntil } from "./wait";

export interface TestRegistryOptions {
  auth?: { username: string; password: string };
}

export interface TestRegistry {
  /** host:port as the first sandbox host (h1) reaches it. */
  address: string;
  /** host:port as sandbox host `name` reaches it (each host sees its own root end). */
  addressFor(name: string): string;
  /** http://127.0.0.1:port, for reading the registry's API from the test process. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const REGISTRY = "docker-registry";

/** The root end of a sandbox host's veth pair: 10.231.N.2 -> 10.231.N.1. */
function rootEnd(hostAddress: string): string {
  return hostAddress.replace(/\.\d+$/, ".1");
}

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-test-registry-"));
  const port = await freePort("0.0.0.0");
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 0.0.0.0:${port}`,
    `  secret: ${path.basename(dir)}`,
  ];
  if (options.auth) {
    // -B: bcrypt, the only hash distribution accepts; argv, so any password is safe.
    const entry = execFileSync("htpasswd", ["-Bbn", options.auth.username, options.auth.password], { encoding: "utf8" });
    writeFileSync(path.join(dir, "htpasswd"), entry.trim() + "\n", { mode: 0o600 });
    lines.push("auth:", "  htpasswd:", "    realm: wharf-test-registry", `    path: ${path.join(dir, "htpasswd")}`);
  }
  const config = path.join(dir, "config.yml");
  writeFileSync(config, lines.join("\n") + "\n");
  // A child of this process, so it ends with the test run at the latest.
  const child: ChildProcess = spawn(REGISTRY, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await timeUntil(
      `registry on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
        const response = await fetch(`${url}/v2/`);
        if (response.status !== 200 && response.status !== 401) throw new Error(`GET /v2/ answered ${response.status}`);
      },
      15_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const sandbox = loadSandbox();
  const addressFor = (name: string) => `${rootEnd(sandboxHost(name, sandbox).address)}:${port}`;
  return {
    address: addressFor(sandbox.hosts[0]?.name ?? "h1"),
    addressFor,
    url,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds `tag` on the host from the busybox test image plus `layers` layers
 * of `bytesPerLayer` random bytes each (random, so no registry has them yet).
 */
export function buildLayeredImage(host: Pick<SandboxHost, "dockerSocket">, tag: string, layers: number, bytesPerLayer: number): void {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-layered-"));
  try {
    const steps = Array.from({ length: layers }, (_, index) => `RUN head -c ${bytesPerLayer} /dev/urandom > /layer-${index}`);
    writeFileSync(path.join(dir, "Dockerfile"), ["FROM wharf-test/busybox:latest", ...steps, ""].join("\n"));
    execFileSync("docker", ["build", "-q", "-t", tag, dir], {
      env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}`, DOCKER_BUILDKIT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the registry's own API as `auth` (basic): a manifest by tag, and whether each of its layers is stored. */
export async function registryManifest(registry: Pick<TestRegistry, "url">, repository: string, reference: string, auth?: TestRegistryOptions["auth"]) {
  const headers: Record<string, string> = {
    accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
    ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` } : {}),
  };
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { headers });
  if (!response.ok) throw new Error(`GET manifest ${repository}:${reference} answered ${response.status}: ${await response.text()}`);
  const manifest = (await response.json()) as { layers: { digest: string; size: number }[] };
  const stored = await Promise.all(
    manifest.layers.map(async (layer) => (await fetch(`${registry.url}/v2/${repository}/blobs/${layer.digest}`, { method: "HEAD", headers })).status === 200),
  );
  return { digest: response.headers.get("docker-content-digest"), layers: manifest.layers, stored };
}
