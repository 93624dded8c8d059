import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { WharfError } from "../errors";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest. Layout: version(1) | iv(12) | tag(16) | ciphertext.
 * The version byte leaves room for key rotation.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error("The master key must be 32 bytes (base64 of 32 random bytes).");
    return new SecretBox(key);
  }

  /** Uses WHARF_MASTER_KEY when given, else a key file created on first start with mode 0600. */
  static load(options: { masterKey?: string | undefined; keyFile: string }): SecretBox {
    if (options.masterKey) return SecretBox.fromKey(Buffer.from(options.masterKey, "base64"));
    if (!existsSync(options.keyFile)) {
      mkdirSync(path.dirname(options.keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(options.keyFile, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    }
    chmodSync(options.keyFile, 0o600);
    return SecretBox.fromKey(Buffer.from(readFileSync(options.keyFile, "utf8").trim(), "base64"));
  }

  seal(plaintext: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    // A copy into a plain ArrayBuffer: what Prisma's Bytes columns accept.
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]));
  }

  open(sealed: Uint8Array): string {
    const data = Buffer.from(sealed);
    if (data[0] !== VERSION) throw new Error("Unknown secret format version.");
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      // GCM's tag check fails the same way for another key and for altered bytes; another key is by far the likelier.
      throw new WharfError(
        "PRECONDITION_FAILED",
        "A stored secret cannot be decrypted with this Wharf's master key: the key is not the one it was saved with (WHARF_MASTER_KEY, or master.key in the data directory). Start Wharf with its original key, or enter the secret again.",
        "MASTER_KEY_MISMATCH",
      );
    }
  }
}
