import { createHash } from "node:crypto";

import type { ParsedKey } from "ssh2";

import { SshError } from "./errors";
import { ssh2 } from "./ssh2";

export interface KeyPair {
  /** OpenSSH private key ("-----BEGIN OPENSSH PRIVATE KEY-----"). */
  privateKey: string;
  /** authorized_keys line: "ssh-ed25519 AAAA... comment". */
  publicKey: string;
  /** "SHA256:..." as printed by `ssh-keygen -lf`. */
  fingerprint: string;
}

export interface PrivateKeyInfo {
  publicKey: string;
  fingerprint: string;
  /** Key algorithm, e.g. "ssh-ed25519" or "ssh-rsa". */
  type: string;
}

/** SHA256 fingerprint of a public key blob, in `ssh-keygen -lf` form (base64, no padding). */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Fingerprints compare equal with or without the "SHA256:" prefix and base64 padding. */
export function normalizeFingerprint(fingerprint: string): string {
  return `SHA256:${fingerprint.trim().replace(/^SHA256:/, "").replace(/=+$/, "")}`;
}

/** The algorithm name a public key blob starts with (uint32 length + name). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new SshError("INVALID_KEY", "The public key blob is truncated.");
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > 64 || keyBlob.length < 4 + length) {
    throw new SshError("INVALID_KEY", "The public key blob is malformed.");
  }
  return keyBlob.subarray(4, 4 + length).toString("ascii");
}

export function generateKeyPair(comment: string): KeyPair {
  const pair = ssh2().utils.generateKeyPairSync("ed25519", { comment });
  const info = inspectPrivateKey(pair.private);
  return { privateKey: pair.private, publicKey: info.publicKey, fingerprint: info.fingerprint };
}

/**
 * Parses a private key as ssh2 will when connecting, so a bad key is reported
 * when it is entered rather than at the first connection.
 */
export function inspectPrivateKey(text: string, passphrase?: string): PrivateKeyInfo {
  const key = parsePrivateKey(text, passphrase);
  const blob = key.getPublicSSH();
  const comment = key.comment.trim();
  return {
    publicKey: `${key.type} ${blob.toString("base64")}${comment ? ` ${comment}` : ""}`,
    fingerprint: fingerprintOf(blob),
    type: key.type,
  };
}

function parsePrivateKey(text: string, passphrase?: string): ParsedKey {
  if (text.trim() === "") throw new SshError("INVALID_KEY", "The private key is empty: paste the whole key file.");
  // Typed as ParsedKey | Error, but OpenSSH-format keys come back as an array of keys.
  const parsed: ParsedKey | ParsedKey[] | Error = ssh2().utils.parseKey(text, passphrase);
  if (parsed instanceof Error) throw invalidKeyError(parsed, passphrase !== undefined && passphrase !== "");
  const key = isKeyList(parsed) ? parsed[0] : parsed;
  if (key === undefined) throw new SshError("INVALID_KEY", "The key file contains no key.");
  if (!key.isPrivateKey()) {
    throw new SshError(
      "INVALID_KEY",
      "This is a public key: paste the private key (the file without .pub, starting with -----BEGIN).",
    );
  }
  return key;
}

function isKeyList(parsed: ParsedKey | ParsedKey[]): parsed is ParsedKey[] {
  return Array.isArray(parsed);
}

function invalidKeyError(err: Error, hadPassphrase: boolean): SshError {
  const message = err.message;
  if (/no passphrase given/i.test(message)) {
    return new SshError("INVALID_KEY", "The private key is encrypted: enter its passphrase.", {
      cause: err,
    });
  }
  if (/bad passphrase|integrity check failed/i.test(message) || (hadPassphrase && /decrypt/i.test(message))) {
    return new SshError("INVALID_KEY", "The passphrase for the private key is wrong.", { cause: err });
  }
  if (/unsupported key format/i.test(message)) {
    return new SshError(
      "INVALID_KEY",
      "This is not a private key ssh can read: paste an OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----), PEM or PuTTY key.",
      { cause: err },
    );
  }
  return new SshError("INVALID_KEY", `The private key cannot be read: ${message}.`, { cause: err });
}
