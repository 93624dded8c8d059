import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { SshError } from "./errors";
import { fingerprintOf, generateKeyPair, inspectPrivateKey, keyTypeOfBlob, normalizeFingerprint } from "./keys";

const dir = mkdtempSync(path.join(tmpdir(), "wharf-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fingerprint column of `ssh-keygen -lf`, the reference users compare against. */
function sshKeygenFingerprint(file: string): string {
  const [, fingerprint] = execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" }).split(" ");
  return fingerprint ?? "";
}

function sshKeygen(type: string, passphrase = ""): string {
  const file = path.join(dir, `${type}-${Math.random().toString(36).slice(2)}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "test@wharf", "-f", file]);
  return file;
}

function expectInvalidKey(run: () => unknown, message: RegExp): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).code).toBe("INVALID_KEY");
    expect((err as SshError).message).toMatch(message);
    return;
  }
  throw new Error("expected INVALID_KEY");
}

describe("generateKeyPair", () => {
  it("makes an ed25519 pair whose fingerprint equals ssh-keygen -lf", () => {
    const pair = generateKeyPair("wharf:prod");
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+={0,2} wharf:prod$/);
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(pair.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

    const pub = path.join(dir, "generated.pub");
    writeFileSync(pub, `${pair.publicKey}\n`);
    expect(pair.fingerprint).toBe(sshKeygenFingerprint(pub));

    // OpenSSH itself can read the private key and derives the same public key.
    const priv = path.join(dir, "generated");
    writeFileSync(priv, pair.privateKey, { mode: 0o600 });
    const derived = execFileSync("ssh-keygen", ["-y", "-f", priv], { encoding: "utf8" }).trim();
    expect(pair.publicKey.startsWith(derived.split(" ").slice(0, 2).join(" "))).toBe(true);
  });
});

describe("inspectPrivateKey", () => {
  it.each(["ed25519", "ecdsa", "rsa"])("reads an OpenSSH %s key like ssh-keygen does", (type) => {
    const file = sshKeygen(type);
    const info = inspectPrivateKey(readFileSync(file, "utf8"));
    expect(info.fingerprint).toBe(sshKeygenFingerprint(`${file}.pub`));
    expect(info.publicKey).toBe(readFileSync(`${file}.pub`, "utf8").trim());
    expect(info.type).toBe(readFileSync(`${file}.pub`, "utf8").split(" ")[0]);
  });

  it("decrypts an encrypted key with its passphrase", () => {
    const file = sshKeygen("ed25519", "correct horse");
    const info = inspectPrivateKey(readFileSync(file, "utf8"), "correct horse");
    expect(info.fingerprint).toBe(sshKeygenFingerprint(`${file}.pub`));
  });

  it("asks for the passphrase of an encrypted key", () => {
    const text = readFileSync(sshKeygen("ed25519", "secret"), "utf8");
    expectInvalidKey(() => inspectPrivateKey(text), /encrypted: enter its passphrase/);
    expectInvalidKey(() => inspectPrivateKey(text, "wrong"), /passphrase .* is wrong/);
  });

  it("rejects text that is not a private key, saying what to paste", () => {
    const file = sshKeygen("ed25519");
    expectInvalidKey(() => inspectPrivateKey(readFileSync(`${file}.pub`, "utf8")), /public key/);
    expectInvalidKey(() => inspectPrivateKey("hello"), /not a private key/);
    expectInvalidKey(() => inspectPrivateKey("  \n"), /empty/);
  });
});

describe("fingerprints", () => {
  it("hashes the key blob like ssh-keygen and reads its algorithm", () => {
    const file = sshKeygen("ed25519");
    const blob = Buffer.from(readFileSync(`${file}.pub`, "utf8").split(" ")[1] ?? "", "base64");
    expect(fingerprintOf(blob)).toBe(sshKeygenFingerprint(`${file}.pub`));
    expect(keyTypeOfBlob(blob)).toBe("ssh-ed25519");
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 1]))).toThrow(SshError);
  });

  it("normalizes the prefix and padding", () => {
    expect(normalizeFingerprint(" abc= ")).toBe("SHA256:abc");
    expect(normalizeFingerprint("SHA256:abc")).toBe("SHA256:abc");
  });
});
