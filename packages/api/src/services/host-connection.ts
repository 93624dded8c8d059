import type { Host } from "@wharf/db";

import type { WharfDeps } from "../deps";

const connectionKeys = new WeakMap<WharfDeps, Map<string, string>>();

/**
 * Whether the host's connection settings (address, user, key, pinned host
 * key, agent directory) differ from those its last agent call in this
 * process used: its kept SSH and agent connections must not be reused then.
 */
export function connectionChanged(deps: WharfDeps, host: Host): boolean {
  let keys = connectionKeys.get(deps);
  if (!keys) {
    keys = new Map();
    connectionKeys.set(deps, keys);
  }
  const key = [host.address, host.port, host.username, host.credentialId, host.hostKeyFingerprint, host.agentDir].join("\0");
  const last = keys.get(host.id);
  keys.set(host.id, key);
  return last !== undefined && last !== key;
}
