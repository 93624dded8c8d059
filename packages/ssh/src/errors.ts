export type SshErrorCode =
  | "CONNECTION_REFUSED"
  | "UNREACHABLE"
  | "TIMEOUT"
  | "DNS"
  | "AUTH_FAILED"
  | "HOST_KEY_MISMATCH"
  | "INVALID_KEY"
  | "CHANNEL_OPEN_FAILED"
  | "COMMAND_FAILED"
  | "DISCONNECTED";

/** Where a failure happened; only used to write the message. */
export interface SshErrorTarget {
  address: string;
  port: number;
  username?: string;
}

/** Every error leaving this package is an SshError with a message a user can act on. */
const SSH_ERROR = Symbol.for("wharf.SshError");

export class SshError extends Error {
  override readonly name = "SshError";
  readonly [SSH_ERROR] = true;

  /** Next.js bundles instrumentation and routes apart, so this class may exist twice in one process: a shared brand tells its errors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && SSH_ERROR in value;
  }
  readonly code: SshErrorCode;

  constructor(code: SshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Failures worth retrying after a backoff; the others need a human to fix something. */
export function isTransientSshError(err: SshError): boolean {
  return (
    err.code === "CONNECTION_REFUSED" ||
    err.code === "UNREACHABLE" ||
    err.code === "TIMEOUT" ||
    err.code === "DISCONNECTED"
  );
}

export function formatEndpoint(target: SshErrorTarget): string {
  const host = target.address.includes(":") ? `[${target.address}]` : target.address;
  return `${host}:${target.port}`;
}

export function hostKeyMismatchError(
  target: SshErrorTarget,
  expected: string,
  received: string,
): SshError {
  return new SshError(
    "HOST_KEY_MISMATCH",
    `The host key of ${formatEndpoint(target)} has changed: expected ${expected}, received ${received}. ` +
      "This could be a man-in-the-middle attack, or the host was reinstalled or its SSH keys regenerated. " +
      "Nothing was sent to the host. Check the fingerprint on the host itself (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) " +
      "and update the pinned fingerprint only if you trust the new key.",
  );
}

export function channelOpenFailedError(
  target: SshErrorTarget,
  socketPath: string,
  cause: unknown,
): SshError {
  const detail = errorMessage(cause).replace(/^\(SSH\) Channel open failure: /, "");
  return new SshError(
    "CHANNEL_OPEN_FAILED",
    `Could not open the socket ${socketPath} on ${formatEndpoint(target)} (server said: ${detail}). ` +
      `Check that the service behind it is running, that the path is right, that ${target.username ?? "the SSH user"} may access it, ` +
      "and that sshd allows it (AllowStreamLocalForwarding yes).",
    { cause },
  );
}

/**
 * Maps a raw ssh2 or socket error to an SshError. ssh2 tags its errors with
 * `level` ('client-socket', 'client-timeout', 'client-authentication',
 * 'client-dns', 'handshake', 'protocol'); sockets carry errno `code`s.
 */
export function toSshError(err: unknown, target: SshErrorTarget): SshError {
  if (err instanceof SshError) return err;
  const endpoint = formatEndpoint(target);
  const message = errorMessage(err);
  const code = errorProperty(err, "code");
  const level = errorProperty(err, "level");
  const make = (c: SshErrorCode, text: string): SshError => new SshError(c, text, { cause: err });

  switch (code) {
    case "ECONNREFUSED":
      return make(
        "CONNECTION_REFUSED",
        `Connection refused by ${endpoint}: is sshd running and is the port right?`,
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return make(
        "UNREACHABLE",
        `${endpoint} is unreachable from this server (${code}): check the address, routing and firewalls between them.`,
      );
    case "ETIMEDOUT":
      return make(
        "TIMEOUT",
        `Connecting to ${endpoint} timed out: the host may be down, or a firewall drops SSH traffic.`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return make(
        "DNS",
        `Could not resolve the host name ${target.address} (${code}): check the spelling and this server's DNS settings.`,
      );
    case "ECONNRESET":
    case "EPIPE":
      return make(
        "DISCONNECTED",
        `The connection to ${endpoint} was reset (${code}). If it keeps happening, check sshd's logs and settings such as MaxStartups.`,
      );
  }

  if (level === "client-dns") {
    return make(
      "DNS",
      `Could not resolve the host name ${target.address}: check the spelling and this server's DNS settings.`,
    );
  }
  if (level === "client-authentication") {
    const user = target.username ?? "the SSH user";
    return make(
      "AUTH_FAILED",
      `${endpoint} rejected the SSH key for ${user}: add the public key to ~/.ssh/authorized_keys of ${user} on that host, and check that the user exists.`,
    );
  }
  if (level === "client-timeout") {
    if (/keepalive/i.test(message)) {
      return make(
        "DISCONNECTED",
        `${endpoint} stopped answering SSH keepalives, so the connection was dropped: the host or the network to it may be down.`,
      );
    }
    return make(
      "TIMEOUT",
      `Connecting to ${endpoint} timed out before the SSH handshake completed: the host may be down or overloaded, a firewall may drop the traffic, or the port may not serve SSH.`,
    );
  }
  if (/Host denied \(verification failed\)/.test(message)) {
    // The pool reports mismatches itself with both fingerprints; this covers other callers.
    return make(
      "HOST_KEY_MISMATCH",
      `The host key of ${endpoint} did not match the pinned fingerprint: this could be a man-in-the-middle attack. Nothing was sent to the host.`,
    );
  }
  if (/Cannot parse privateKey|private key|passphrase/i.test(message)) {
    return make("INVALID_KEY", `The SSH private key cannot be used: ${message}.`);
  }
  if (/Channel open failure/.test(message)) {
    return make("CHANNEL_OPEN_FAILED", `${endpoint} refused to open an SSH channel: ${message}.`);
  }
  if (/Connection lost before handshake/.test(message)) {
    return make(
      "DISCONNECTED",
      `${endpoint} closed the connection before the SSH handshake: check that this port serves SSH, and sshd's MaxStartups and allow/deny rules.`,
    );
  }
  return make(
    "DISCONNECTED",
    `The SSH connection to ${endpoint} failed: ${message}. Retry; if it persists, check sshd's logs on the host.`,
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function errorProperty(err: unknown, key: "code" | "level"): string | undefined {
  if (typeof err !== "object" || err === null || !(key in err)) return undefined;
  const value: unknown = (err as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}
