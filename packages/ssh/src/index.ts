export { toRemoteCommand } from "./command";
export { isTransientSshError, SshError, type SshErrorCode, type SshErrorTarget, toSshError } from "./errors";
export { type HostKey, scanHostKey, type ScanHostKeyOptions } from "./host-key";
export {
  fingerprintOf,
  generateKeyPair,
  inspectPrivateKey,
  type KeyPair,
  normalizeFingerprint,
  type PrivateKeyInfo,
} from "./keys";
export {
  type ExecOptions,
  type ExecResult,
  type SshLogEvent,
  SshPool,
  type SshPoolOptions,
  type SshPoolStats,
  type SshTarget,
  type UploadOptions,
} from "./pool";
export { createTunnelAgent, type TunnelAgentOptions } from "./tunnel";
