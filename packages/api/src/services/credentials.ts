import { credentialPublicSelect } from "@wharf/db";
import { generateKeyPair, inspectPrivateKey, SshError } from "@wharf/ssh";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { type Actor, recordAudit } from "./audit";

export const credentialName = z.string().trim().min(1, "Name the key.").max(80, "Use at most 80 characters.");

export const generateCredentialInput = z.object({ name: credentialName });
export type GenerateCredentialInput = z.infer<typeof generateCredentialInput>;

export const importCredentialInput = z.object({
  name: credentialName,
  privateKey: z
    .string()
    .trim()
    .min(1, "Paste the private key.")
    .max(20_000, "That is too long for an SSH private key.")
    .refine((key) => key.includes("PRIVATE KEY"), "Paste a private key (it starts with -----BEGIN ... PRIVATE KEY-----)."),
  passphrase: z.string().max(1_000).optional(),
});
export type ImportCredentialInput = z.infer<typeof importCredentialInput>;

export async function listCredentials(deps: WharfDeps, teamId: string) {
  return deps.db.sshCredential.findMany({ where: { teamId }, orderBy: { createdAt: "desc" }, select: credentialPublicSelect });
}

/** Generates an ed25519 key pair; only the public half ever leaves the server. */
export async function generateCredential(deps: WharfDeps, teamId: string, actor: Actor, input: GenerateCredentialInput) {
  const pair = generateKeyPair(`wharf:${input.name}`);
  return deps.db.$transaction(async (tx) => {
    const credential = await tx.sshCredential.create({
      data: {
        teamId,
        name: input.name,
        kind: "GENERATED",
        publicKey: pair.publicKey,
        fingerprint: pair.fingerprint,
        privateKeyEnc: deps.secrets.seal(pair.privateKey),
      },
      select: credentialPublicSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "credential.generate",
      targetType: "credential",
      targetId: credential.id,
      summary: `Generated SSH key ${input.name} (${pair.fingerprint})`,
    });
    return credential;
  });
}

export async function importCredential(deps: WharfDeps, teamId: string, actor: Actor, input: ImportCredentialInput) {
  const inspected = inspectKey(input.privateKey, input.passphrase);
  return deps.db.$transaction(async (tx) => {
    const credential = await tx.sshCredential.create({
      data: {
        teamId,
        name: input.name,
        kind: "PASTED",
        publicKey: inspected.publicKey,
        fingerprint: inspected.fingerprint,
        privateKeyEnc: deps.secrets.seal(input.privateKey),
        passphraseEnc: input.passphrase ? deps.secrets.seal(input.passphrase) : null,
      },
      select: credentialPublicSelect,
    });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "credential.import",
      targetType: "credential",
      targetId: credential.id,
      summary: `Added SSH key ${input.name} (${inspected.fingerprint})`,
    });
    return credential;
  });
}

export const renameCredentialInput = z.object({ credentialId: z.string().min(1), name: credentialName });
export type RenameCredentialInput = z.infer<typeof renameCredentialInput>;

/** A key added with a host is named after it ("h1 key"); once several hosts share it, its owner names it. */
export async function renameCredential(deps: WharfDeps, teamId: string, actor: Actor, input: RenameCredentialInput) {
  return deps.db.$transaction(async (tx) => {
    const credential = await tx.sshCredential.findFirst({ where: { id: input.credentialId, teamId }, select: { id: true, name: true } });
    if (!credential) throw notFound("That SSH key");
    const renamed = await tx.sshCredential.update({ where: { id: credential.id }, data: { name: input.name }, select: credentialPublicSelect });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "credential.rename",
      targetType: "credential",
      targetId: credential.id,
      summary: `Renamed SSH key ${credential.name} to ${input.name}`,
    });
    return renamed;
  });
}

export async function removeCredential(deps: WharfDeps, teamId: string, actor: Actor, credentialId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const credential = await tx.sshCredential.findFirst({
      where: { id: credentialId, teamId },
      select: { id: true, name: true, _count: { select: { hosts: true } } },
    });
    if (!credential) throw notFound("That SSH key");
    if (credential._count.hosts > 0) {
      throw new WharfError("CONFLICT", `The key ${credential.name} is used by ${credential._count.hosts} host(s): remove those hosts first.`);
    }
    await tx.sshCredential.delete({ where: { id: credential.id } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "credential.remove",
      targetType: "credential",
      targetId: credential.id,
      summary: `Removed SSH key ${credential.name}`,
    });
  });
}

export function inspectKey(privateKey: string, passphrase: string | undefined) {
  try {
    return inspectPrivateKey(privateKey, passphrase);
  } catch (error) {
    if (error instanceof SshError) throw new WharfError("BAD_REQUEST", error.message, error.code);
    throw error;
  }
}

/** Decrypted key material: stays inside the service layer. */
export async function loadCredentialSecret(deps: WharfDeps, credentialId: string): Promise<{ privateKey: string; passphrase?: string }> {
  const row = await deps.db.sshCredential.findUniqueOrThrow({
    where: { id: credentialId },
    select: { privateKeyEnc: true, passphraseEnc: true },
  });
  return {
    privateKey: deps.secrets.open(row.privateKeyEnc),
    ...(row.passphraseEnc ? { passphrase: deps.secrets.open(row.passphraseEnc) } : {}),
  };
}
