import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it, onTestFinished } from "vitest";

import { SecretBox } from "./secret-box";

describe("SecretBox", () => {
  const box = SecretBox.fromKey(randomBytes(32));

  it("round-trips and never stores the plaintext", () => {
    const sealed = box.seal("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(Buffer.from(sealed).includes("OPENSSH")).toBe(false);
    expect(box.open(sealed)).toBe("-----BEGIN OPENSSH PRIVATE KEY-----");
  });

  it("uses a fresh IV for each secret", () => {
    expect(Buffer.from(box.seal("same")).equals(box.seal("same"))).toBe(false);
  });

  it("rejects tampered ciphertext", () => {
    const sealed = box.seal("secret");
    sealed.set([(sealed.at(-1) ?? 0) ^ 1], sealed.length - 1);
    expect(() => box.open(sealed)).toThrow();
  });

  it("rejects another key, saying the master key changed and what to do", () => {
    const sealed = box.seal("secret");
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed)).toThrow(/master key.*Start Wharf with its original key/);
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed)).toThrow(expect.objectContaining({ reason: "MASTER_KEY_MISMATCH" }) as Error);
  });

  it("creates a 0600 key file on first start and reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wharf-key-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, "keys", "master.key");
    const first = SecretBox.load({ keyFile });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(SecretBox.load({ keyFile }).open(first.seal("x"))).toBe("x");
  });
});
