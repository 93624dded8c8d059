/**
 * An sshd of one test's own on 127.0.0.1, in front of a sandbox host's users
 * and Docker engine. Its host key can be rotated (a "rebuilt" machine at the
 * same address) without touching the keys of the shared sandbox hosts, which
 * other suites have pinned.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { scanHostKey } from "@wharf/ssh";

import { freePort } from "./ports";
import { stopChild } from "./processes";
import { type SandboxHost, sandboxStateDir } from "./sandbox";
import { timeUntil } from "./wait";

export interface PrivateSshd {
  address: string;
  port: number;
  /** The fingerprint of the key it serves now. */
  fingerprint: string;
  /** Replaces its host key (sshd reloads, same address and port); resolves with the new fingerprint once served. */
  rekey(): Promise<string>;
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";
const ADDRESS = "127.0.0.1";

function newKey(file: string): string {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "wharf-private-sshd", "-f", file]);
  return execFileSync("ssh-keygen", ["-lf", `${file}.pub`], { encoding: "utf8" }).split(" ")[1] ?? "";
}

async function served(port: number, fingerprint: string): Promise<void> {
  await timeUntil(
    `sshd on ${ADDRESS}:${port} serving ${fingerprint}`,
    async () => {
      const key = await scanHostKey({ address: ADDRESS, port, timeoutMs: 2_000 });
      if (key.fingerprint !== fingerprint) throw new Error(`still serves ${key.fingerprint}`);
    },
    15_000,
  );
}

/** Starts sshd on a free loopback port for `host`'s docker and nodocker users, with the sandbox's client key. */
export async function startPrivateSshd(host: SandboxHost): Promise<PrivateSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), "wharf-private-sshd-"));
  const keyFile = path.join(dir, "ssh_host_ed25519_key");
  let fingerprint = newKey(keyFile);
  const port = await freePort(ADDRESS);
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `ListenAddress ${ADDRESS}:${port}`,
      `HostKey ${keyFile}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(sandboxStateDir(), "authorized_keys")}`,
      `AllowUsers ${host.users.docker} ${host.users.nodocker}`,
      "UsePAM no",
      "PermitRootLogin no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "AllowStreamLocalForwarding yes",
      "AllowTcpForwarding yes",
      "StrictModes no",
      "UseDNS no",
      "Subsystem sftp internal-sftp",
      "MaxSessions 64",
      `SetEnv DOCKER_HOST=unix://${host.dockerSocket}`,
      "",
    ].join("\n"),
  );
  // -D: stays a child of this process, so it ends with the test run at the latest.
  const child: ChildProcess = spawn(SSHD, ["-D", "-f", config, "-E", path.join(dir, "sshd.log")], { stdio: "ignore" });
  await served(port, fingerprint);
  return {
    address: ADDRESS,
    port,
    get fingerprint() {
      return fingerprint;
    },
    async rekey() {
      const next = newKey(`${keyFile}.new`);
      renameSync(`${keyFile}.new.pub`, `${keyFile}.pub`);
      renameSync(`${keyFile}.new`, keyFile);
      // SIGHUP: sshd re-executes itself (same pid) and reads its host keys again.
      child.kill("SIGHUP");
      await served(port, next);
      fingerprint = next;
      return next;
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
