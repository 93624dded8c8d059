/**
 * Typed access to the sandbox Docker hosts started by
 * `docker/sandbox/sandbox.sh up` (network namespaces with their own dockerd
 * and sshd). The script describes them in `$WHARF_SANDBOX_STATE/hosts.json`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";

import { childEnv, REPO_ROOT, testEnv } from "./env";

export const SANDBOX_SCRIPT = path.join(REPO_ROOT, "docker/sandbox/sandbox.sh");

const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "expected an OpenSSH SHA256 fingerprint");
const userSchema = z.string().regex(/^[a-z_][a-z0-9_-]*$/);

const sandboxHostSchema = z.object({
  name: z.string().regex(/^h\d+$/),
  address: z.ipv4(),
  port: z.number().int().min(1).max(65_535),
  users: z.object({
    /** In the host's docker group: full Docker access. */
    docker: userSchema,
    /** No access to the Docker socket (permission denied). */
    nodocker: userSchema,
    /** DOCKER_HOST points at a socket that does not exist (no daemon). */
    nodaemon: userSchema,
  }),
  /** The engine's unix socket, reachable from this machine's filesystem too. */
  dockerSocket: z.string().startsWith("/"),
  hostKeyFingerprint: fingerprintSchema,
  netns: z.string().min(1),
});

const sandboxSchema = z.object({
  /** Path of the client's private key (ed25519, OpenSSH format). */
  clientKey: z.string().startsWith("/"),
  clientPublicKey: z.string().startsWith("ssh-ed25519 "),
  hosts: z.array(sandboxHostSchema).min(1),
});

const loopbackSchema = z.object({
  sshd: z.array(
    z.object({
      port: z.number().int().min(1).max(65_535),
      user: userSchema,
      hostKeyFingerprint: fingerprintSchema,
    }),
  ),
});

export type SandboxHost = z.infer<typeof sandboxHostSchema>;
export type Sandbox = z.infer<typeof sandboxSchema>;
export type LoopbackSshd = z.infer<typeof loopbackSchema>["sshd"][number];

export function sandboxStateDir(): string {
  return testEnv.sandboxState;
}

function readStateJson<T>(file: string, schema: z.ZodType<T>, hint: string): T {
  const full = path.join(sandboxStateDir(), file);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${full} does not exist: ${hint}`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${full} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${full} is not a valid sandbox description:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Whether a sandbox is up (its hosts.json exists). */
export function sandboxIsUp(): boolean {
  return existsSync(path.join(sandboxStateDir(), "hosts.json"));
}

/** Reads and validates hosts.json. Throws with a hint when no sandbox is up. */
export function loadSandbox(): Sandbox {
  return readStateJson("hosts.json", sandboxSchema, "start the sandbox with `npm run sandbox -- up`");
}

/** One host by name ("h1", "h2", ...). */
export function sandboxHost(name: string, sandbox: Sandbox = loadSandbox()): SandboxHost {
  const host = sandbox.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`sandbox host ${name} missing (have ${sandbox.hosts.map((h) => h.name).join(", ")}): run \`npm run sandbox -- up\``);
  return host;
}

function runScript(args: string[], timeoutMs: number): string {
  try {
    return execFileSync("bash", [SANDBOX_SCRIPT, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`sandbox.sh ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Gives host NAME's sshd a new host key (sshd reloads, same address) and
 * updates hosts.json. Returns the new fingerprint; call loadSandbox() again
 * for the updated description.
 */
export function rotateHostKey(name: string): string {
  const out = runScript(["rotate-host-key", name, "--state", sandboxStateDir()], 60_000);
  return fingerprintSchema.parse(out.trim().split("\n").pop());
}

/** Reads loopback.json, written by startLoopbackSshd (or `sandbox.sh loopback-sshd`). */
export function loadLoopbackSshd(): LoopbackSshd[] {
  return readStateJson("loopback.json", loopbackSchema, "start them with `sandbox.sh loopback-sshd --count N --base-port P`").sshd;
}

/**
 * Starts COUNT sshd processes on 127.0.0.1:basePort.. (replacing earlier
 * ones), each serving wharf-h1 with DOCKER_HOST set to h1's engine.
 */
export function startLoopbackSshd(options: { count: number; basePort: number }): LoopbackSshd[] {
  runScript(
    ["loopback-sshd", "--count", String(options.count), "--base-port", String(options.basePort), "--state", sandboxStateDir()],
    120_000,
  );
  return loadLoopbackSshd();
}

/**
 * Runs the docker CLI against a sandbox host's engine (directly on its
 * socket, not over SSH) and returns stdout. Throws with stderr on failure.
 */
export function dockerCli(host: Pick<SandboxHost, "dockerSocket">, args: string[]): string {
  try {
    return execFileSync("docker", args, {
      encoding: "utf8",
      env: childEnv({ DOCKER_HOST: `unix://${host.dockerSocket}` }),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(" ")} failed on ${host.dockerSocket}: ${e.stderr?.trim() || e.message}`);
  }
}
