import type { Prisma } from "./generated/prisma/client";

/** Allow-lists of columns that may leave the service layer: never keys or ciphertext. */
export const hostPublicSelect = {
  id: true,
  name: true,
  address: true,
  port: true,
  username: true,
  hostKeyAlgorithm: true,
  hostKeyFingerprint: true,
  agentVersion: true,
  status: true,
  statusMessage: true,
  lastSeenAt: true,
  facts: true,
  factsAt: true,
  createdAt: true,
  credential: { select: { id: true, name: true, fingerprint: true } },
} satisfies Prisma.HostSelect;

export const credentialPublicSelect = {
  id: true,
  name: true,
  kind: true,
  publicKey: true,
  fingerprint: true,
  createdAt: true,
  _count: { select: { hosts: true } },
} satisfies Prisma.SshCredentialSelect;

export const auditEventSelect = {
  id: true,
  actorLabel: true,
  action: true,
  targetType: true,
  targetId: true,
  summary: true,
  data: true,
  createdAt: true,
} satisfies Prisma.AuditEventSelect;
