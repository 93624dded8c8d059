import { formatEndpoint, SshError, toSshError } from "./errors";
import { fingerprintOf, keyTypeOfBlob } from "./keys";
import { ssh2 } from "./ssh2";

export interface ScanHostKeyOptions {
  address: string;
  port: number;
  timeoutMs?: number;
}

export interface HostKey {
  /** e.g. "ssh-ed25519". */
  algorithm: string;
  /** "SHA256:..." as printed by `ssh-keygen -lf`. */
  fingerprint: string;
  /** The public key blob in base64, as in a known_hosts line. */
  key: string;
}

/**
 * Host key algorithms in preference order. The scan and the pool must offer
 * the same list so that a host with several keys (ed25519, ecdsa, rsa)
 * presents the same one the fingerprint was pinned from.
 */
export const HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
] as const;

/** Sent in no message: the scan disconnects before authentication starts. */
const SCAN_USERNAME = "wharf-host-key-scan";

/**
 * Reads the host key a server presents, for trust-on-first-use pinning. The
 * key is returned once key exchange completes, i.e. after the server proved
 * it holds the private half; the connection is closed before authentication,
 * so no credentials are sent.
 */
export function scanHostKey(options: ScanHostKeyOptions): Promise<HostKey> {
  const { address, port } = options;
  const target = { address, port };

  return new Promise<HostKey>((resolve, reject) => {
    const client = new (ssh2().Client)();
    let presented: HostKey | undefined;
    let settled = false;
    const finish = (result: { key: HostKey } | { error: SshError }): void => {
      if (settled) return;
      settled = true;
      client.end();
      if ("key" in result) resolve(result.key);
      else reject(result.error);
    };

    // Ending the client inside 'handshake' stops ssh2 before it requests authentication.
    client.on("handshake", () => {
      if (presented) finish({ key: presented });
    });
    client.on("error", (err) => finish({ error: toSshError(err, target) }));
    client.on("close", () =>
      finish({
        error: new SshError(
          "DISCONNECTED",
          `${formatEndpoint(target)} closed the connection before completing key exchange: check that this port serves SSH.`,
        ),
      }),
    );
    try {
      client.connect({
        host: address,
        port,
        username: SCAN_USERNAME,
        // Covers the TCP connect as well as the handshake.
        readyTimeout: options.timeoutMs ?? 10_000,
        algorithms: { serverHostKey: [...HOST_KEY_ALGORITHMS] },
        hostVerifier: (blob: Buffer): boolean => {
          try {
            presented = { algorithm: keyTypeOfBlob(blob), fingerprint: fingerprintOf(blob), key: blob.toString("base64") };
            return true;
          } catch (err) {
            finish({ error: toSshError(err, target) });
            return false;
          }
        },
      });
    } catch (err) {
      finish({ error: toSshError(err, target) });
    }
  });
}
