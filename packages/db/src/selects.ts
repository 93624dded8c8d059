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
  keyPinnedAt: true,
  seenKeyAlgorithm: true,
  seenKeyFingerprint: true,
  seenKeyAt: true,
  agentVersion: true,
  agentUpgradedAt: true,
  status: true,
  statusMessage: true,
  lastSeenAt: true,
  facts: true,
  factsAt: true,
  createdAt: true,
  credential: { select: { id: true, name: true, fingerprint: true } },
  environment: { select: { id: true, name: true } },
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
  actorId: true,
  actorLabel: true,
  actorName: true,
  source: true,
  address: true,
  action: true,
  targetType: true,
  targetId: true,
  summary: true,
  data: true,
  changes: true,
  createdAt: true,
} satisfies Prisma.AuditEventSelect;

/** A revision without its content: for lists. */
export const stackRevisionSummarySelect = {
  id: true,
  number: true,
  message: true,
  authorLabel: true,
  createdAt: true,
} satisfies Prisma.StackRevisionSelect;

/** A revision's content; secret values (secretsEnc) never leave the service layer, only their names. */
export const stackRevisionPublicSelect = {
  ...stackRevisionSummarySelect,
  files: true,
  env: true,
  secretNames: true,
  limits: true,
} satisfies Prisma.StackRevisionSelect;

export const deploymentSummarySelect = {
  id: true,
  stackId: true,
  action: true,
  options: true,
  status: true,
  reason: true,
  error: true,
  exitCode: true,
  afterId: true,
  requestedByLabel: true,
  cancelRequestedAt: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  host: { select: { id: true, name: true } },
  revision: { select: { id: true, number: true } },
} satisfies Prisma.DeploymentSelect;

/** What a job ran with and recorded; secret values are redacted before they are stored. */
export const deploymentDetailSelect = {
  ...deploymentSummarySelect,
  preflight: true,
  preflightAt: true,
  overlay: true,
  limitsOverride: true,
  renderedCompose: true,
  envRedacted: true,
  imageDigests: true,
  compose: true,
  imagePins: true,
} satisfies Prisma.DeploymentSelect;

/** What a registry shows to its team: never its sealed secret. */
export const registryPublicSelect = {
  id: true,
  name: true,
  kind: true,
  address: true,
  url: true,
  username: true,
  region: true,
  awsRegistryId: true,
  accessKeyId: true,
  roleArn: true,
  caCert: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.RegistrySelect;
