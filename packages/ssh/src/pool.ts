import { createHash, randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Duplex } from "node:stream";

import type { Client, ClientChannel, SFTPWrapper } from "ssh2";

import { toRemoteCommand } from "./command";
import {
  channelOpenFailedError,
  errorMessage,
  formatEndpoint,
  hostKeyMismatchError,
  isTransientSshError,
  SshError,
  toSshError,
} from "./errors";
import { HOST_KEY_ALGORITHMS } from "./host-key";
import { fingerprintOf, inspectPrivateKey, normalizeFingerprint } from "./keys";
import { ssh2 } from "./ssh2";

export interface SshTarget {
  /** Pool key: one connection per host id. */
  hostId: string;
  address: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  /** Pinned "SHA256:..." fingerprint; any other host key is refused. */
  hostKeyFingerprint: string;
  readyTimeoutMs?: number;
}

export interface ExecOptions {
  stdin?: Buffer | string;
  timeoutMs?: number;
}

export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr went past maxOutputBytes and was cut. */
  truncated: boolean;
}

export interface UploadOptions {
  mode?: number;
}

export interface SshPoolStats {
  /** Open connections now. */
  connections: number;
  /** Successful connections since the pool was created (reconnects included). */
  connects: number;
  /** Connections made to replace one that dropped. */
  reconnects: number;
  /** Failed connection attempts. */
  failures: number;
  /** Exec sessions, SFTP sessions and forwarded streams open now. */
  activeChannels: number;
}

export interface SshLogEvent {
  level: "debug" | "info" | "warn";
  /** Stable name for metrics and tests; `message` is for people. */
  type: "connected" | "reconnected" | "connect-failed" | "dropped" | "idle-close" | "closed";
  hostId: string;
  message: string;
  error?: SshError;
}

export interface SshPoolOptions {
  /** SSH-level keepalive period; a dead peer is noticed after interval * countMax. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Handshake + authentication timeout when the target sets none. */
  readyTimeoutMs?: number;
  /** Close a connection after this long with no open exec, SFTP session or stream. */
  idleCloseMs?: number;
  /** Concurrent exec/SFTP sessions per connection; more wait for a free slot. */
  maxSessionsPerConnection?: number;
  /** Cap on each of stdout and stderr collected by exec. */
  maxOutputBytes?: number;
  /** exec timeout when the call sets none. */
  execTimeoutMs?: number;
  /** Reconnect backoff: initialMs doubling up to maxMs, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  log?: (event: SshLogEvent) => void;
}

const DEFAULTS = {
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  readyTimeoutMs: 15_000,
  idleCloseMs: 5 * 60_000,
  // Below OpenSSH's default MaxSessions (10), leaving room for slots sshd has not freed yet.
  maxSessionsPerConnection: 8,
  maxOutputBytes: 16 * 1024 * 1024,
  execTimeoutMs: 10 * 60_000,
  backoffInitialMs: 250,
  backoffMaxMs: 10_000,
  backoffMaxAttempts: 5,
};

/** One ssh2 client plus the bookkeeping for idle close and the session limit. */
class Connection {
  closedByPool = false;
  closed = false;
  private active = 0;
  private sessions = 0;
  private readonly sessionWaiters: Array<(granted: boolean) => void> = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: Client,
    private readonly idleCloseMs: number,
    private readonly maxSessions: number,
    private readonly onIdle: (conn: Connection) => void,
  ) {
    this.scheduleIdle();
  }

  get activeCount(): number {
    return this.active;
  }

  retain(): void {
    this.active++;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  release(): void {
    this.active--;
    if (this.active === 0) this.scheduleIdle();
  }

  /** Resolves false when the connection closed while waiting. */
  takeSession(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.sessions < this.maxSessions) {
      this.sessions++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.sessionWaiters.push(resolve));
  }

  giveSession(): void {
    const next = this.sessionWaiters.shift();
    // The slot passes straight to the next waiter, so the count stays the same.
    if (next) next(true);
    else this.sessions--;
  }

  markClosed(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const waiter of this.sessionWaiters.splice(0)) waiter(false);
  }

  private scheduleIdle(): void {
    if (this.closed) return;
    this.idleTimer = setTimeout(() => {
      if (this.active === 0) this.onIdle(this);
    }, this.idleCloseMs);
  }
}

interface HostEntry {
  hostId: string;
  identity: string;
  target: SshTarget;
  connection: Connection | undefined;
  connecting: Promise<Connection> | undefined;
  /** Set once a connection succeeded: later successful connects count as reconnects. */
  hasConnected: boolean;
  /** A live connection died: the next connect retries with backoff. */
  dropped: boolean;
  consecutiveFailures: number;
  lastError: SshError | undefined;
  /** Before this time, callers get lastError at once instead of a new attempt. */
  retryAt: number;
  removed: boolean;
}

interface Lease {
  conn: Connection;
  release: () => void;
}

/**
 * The one place Wharf opens SSH connections. Keeps one connection per host
 * id, shared by concurrent callers, with keepalives, strict host-key pinning,
 * reconnect with backoff and idle close.
 *
 * Failure policy: the first connection to a host is tried once, so a wrong
 * address or key is reported at once. After a live connection drops, the next
 * caller reconnects with up to `backoff.maxAttempts` tries (250 ms doubling,
 * with jitter) for transient errors (refused, unreachable, timeout, dropped).
 * Once a connect has failed, callers within the following backoff window
 * (which grows to 10 s with consecutive failures) fail fast with that error
 * instead of queueing behind a dead host. `close(hostId)` clears that state,
 * e.g. when the user asks to test the connection again.
 */
export class SshPool {
  private readonly hosts = new Map<string, HostEntry>();
  private readonly options: Required<Omit<SshPoolOptions, "backoff" | "log">> & {
    backoffInitialMs: number;
    backoffMaxMs: number;
    backoffMaxAttempts: number;
  };
  private readonly log: (event: SshLogEvent) => void;
  private counters = { connects: 0, reconnects: 0, failures: 0 };

  constructor(options: SshPoolOptions = {}) {
    this.options = {
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
      idleCloseMs: options.idleCloseMs ?? DEFAULTS.idleCloseMs,
      maxSessionsPerConnection: options.maxSessionsPerConnection ?? DEFAULTS.maxSessionsPerConnection,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
      execTimeoutMs: options.execTimeoutMs ?? DEFAULTS.execTimeoutMs,
      backoffInitialMs: options.backoff?.initialMs ?? DEFAULTS.backoffInitialMs,
      backoffMaxMs: options.backoff?.maxMs ?? DEFAULTS.backoffMaxMs,
      backoffMaxAttempts: options.backoff?.maxAttempts ?? DEFAULTS.backoffMaxAttempts,
    };
    this.log = options.log ?? (() => {});
  }

  /** Runs argv on the host (quoted for the remote login shell) and collects its output. */
  async exec(target: SshTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = toRemoteCommand(argv);
    const lease = await this.lease(target, true);
    return this.runExec(lease, target, argv, command, opts);
  }

  /** A duplex stream to a unix socket on the host (OpenSSH direct-streamlocal). */
  async openStreamLocal(target: SshTarget, socketPath: string): Promise<Duplex> {
    const lease = await this.lease(target, false);
    let channel: ClientChannel;
    try {
      channel = await new Promise<ClientChannel>((resolve, reject) => {
        lease.conn.client.openssh_forwardOutStreamLocal(socketPath, (err, stream) =>
          err ? reject(err) : resolve(stream),
        );
      });
    } catch (err) {
      lease.release();
      throw /Channel open failure|strictVendor/.test(errorMessage(err))
        ? channelOpenFailedError(target, socketPath, err)
        : toSshError(err, target);
    }
    // The stream keeps the connection from idling out until it closes.
    channel.once("close", lease.release);
    // ssh2 emits 'close' only after the readable side ended, which never happens
    // if the reader stops reading; drain on destroy so 'close' always follows.
    const destroy = channel.destroy.bind(channel);
    channel.destroy = () => {
      channel.resume();
      return destroy();
    };
    return channel;
  }

  /** Copies a local file to the host over SFTP: written to a temporary name, then renamed into place. */
  async uploadFile(
    target: SshTarget,
    localPath: string,
    remotePath: string,
    opts: UploadOptions = {},
  ): Promise<void> {
    const lease = await this.lease(target, true);
    const tempPath = posix.join(
      posix.dirname(remotePath),
      `.${posix.basename(remotePath)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    let sftp: SFTPWrapper | undefined;
    try {
      const client = lease.conn.client;
      sftp = await openSession<SFTPWrapper>((cb) => client.sftp(cb));
      const session = sftp;
      await sftpCall((cb) => session.fastPut(localPath, tempPath, cb));
      // Mode is applied after the write because open() modes are filtered by the remote umask.
      if (opts.mode !== undefined) {
        const mode = opts.mode;
        await sftpCall((cb) => session.chmod(tempPath, mode, cb));
      }
      await sftpCall((cb) => posixRename(session, tempPath, remotePath, cb));
    } catch (err) {
      if (sftp && !lease.conn.closed) {
        const session = sftp;
        await sftpCall((cb) => session.unlink(tempPath, cb)).catch(() => undefined);
      }
      if (lease.conn.closed || /Not connected|No response from server/.test(errorMessage(err))) {
        throw toSshError(err, target);
      }
      throw new SshError(
        "COMMAND_FAILED",
        `Uploading ${localPath} to ${remotePath} on ${formatEndpoint(target)} failed: ${errorMessage(err)}. ` +
          `Check that the directory exists and ${target.username} may write to it.`,
        { cause: err },
      );
    } finally {
      sftp?.end();
      lease.release();
    }
  }

  /** Closes the host's connection (open streams end) and forgets its failure backoff. */
  async close(hostId: string): Promise<void> {
    const entry = this.hosts.get(hostId);
    if (!entry) return;
    await this.removeEntry(entry, "closed");
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((entry) => this.removeEntry(entry, "closed")));
  }

  stats(): SshPoolStats {
    let connections = 0;
    let activeChannels = 0;
    for (const entry of this.hosts.values()) {
      if (!entry.connection) continue;
      connections++;
      activeChannels += entry.connection.activeCount;
    }
    return { connections, activeChannels, ...this.counters };
  }

  private async lease(target: SshTarget, session: boolean): Promise<Lease> {
    // A connection can close while we wait for a session slot; then take a fresh one.
    for (let attempt = 1; ; attempt++) {
      const conn = await this.connection(target);
      conn.retain();
      if (!session) return { conn, release: once(() => conn.release()) };
      if (await conn.takeSession()) {
        return {
          conn,
          release: once(() => {
            conn.giveSession();
            conn.release();
          }),
        };
      }
      conn.release();
      if (attempt >= 3) {
        throw new SshError(
          "DISCONNECTED",
          `The SSH connection to ${formatEndpoint(target)} kept closing before the command could start. Retry, and check sshd's logs on the host.`,
        );
      }
    }
  }

  private connection(target: SshTarget): Promise<Connection> {
    const entry = this.entryFor(target);
    if (entry.connection) return Promise.resolve(entry.connection);
    if (entry.connecting) return entry.connecting;
    if (entry.lastError && Date.now() < entry.retryAt) return Promise.reject(entry.lastError);
    const connecting = this.connectEntry(entry);
    entry.connecting = connecting;
    const clear = (): void => {
      if (entry.connecting === connecting) entry.connecting = undefined;
    };
    connecting.then(clear, clear);
    return connecting;
  }

  private entryFor(target: SshTarget): HostEntry {
    const identity = identityOf(target);
    const existing = this.hosts.get(target.hostId);
    if (existing && existing.identity === identity) {
      existing.target = target;
      return existing;
    }
    if (existing) void this.removeEntry(existing, "target changed (address, user, key or host key)");
    const entry: HostEntry = {
      hostId: target.hostId,
      identity,
      target,
      connection: undefined,
      connecting: undefined,
      hasConnected: false,
      dropped: false,
      consecutiveFailures: 0,
      lastError: undefined,
      retryAt: 0,
      removed: false,
    };
    this.hosts.set(target.hostId, entry);
    return entry;
  }

  private async connectEntry(entry: HostEntry): Promise<Connection> {
    const attempts = entry.dropped ? this.options.backoffMaxAttempts : 1;
    entry.dropped = false;
    for (let attempt = 1; ; attempt++) {
      let client: Client;
      try {
        client = await this.connectClient(entry.target);
      } catch (err) {
        const error = toSshError(err, entry.target);
        this.counters.failures++;
        entry.consecutiveFailures++;
        entry.lastError = error;
        const delay = this.backoffDelay(entry.consecutiveFailures);
        entry.retryAt = Date.now() + delay;
        const retry = attempt < attempts && isTransientSshError(error) && !entry.removed;
        this.log({
          level: "warn",
          type: "connect-failed",
          hostId: entry.hostId,
          message: retry
            ? `connect attempt ${attempt}/${attempts} failed, retrying in ${delay} ms`
            : `connect failed (attempt ${attempt}/${attempts})`,
          error,
        });
        if (!retry) throw error;
        await sleep(delay);
        if (entry.removed) throw error;
        continue;
      }
      if (entry.removed) {
        client.end();
        throw new SshError(
          "DISCONNECTED",
          `The connection to ${formatEndpoint(entry.target)} was closed while it was being opened.`,
        );
      }
      return this.adopt(entry, client);
    }
  }

  private adopt(entry: HostEntry, client: Client): Connection {
    const conn = new Connection(
      client,
      this.options.idleCloseMs,
      this.options.maxSessionsPerConnection,
      (idle) => {
        if (entry.connection !== idle) return;
        entry.connection = undefined;
        idle.closedByPool = true;
        this.log({ level: "debug", type: "idle-close", hostId: entry.hostId, message: "closing idle connection" });
        client.end();
      },
    );
    let lastError: SshError | undefined;
    client.on("error", (err) => {
      lastError = toSshError(err, entry.target);
    });
    client.on("close", () => {
      conn.markClosed();
      if (entry.connection === conn) entry.connection = undefined;
      if (conn.closedByPool) return;
      entry.dropped = true;
      const event: SshLogEvent = { level: "warn", type: "dropped", hostId: entry.hostId, message: "connection dropped" };
      if (lastError) event.error = lastError;
      this.log(event);
    });

    this.counters.connects++;
    const isReconnect = entry.hasConnected;
    if (isReconnect) this.counters.reconnects++;
    entry.hasConnected = true;
    entry.consecutiveFailures = 0;
    entry.lastError = undefined;
    entry.retryAt = 0;
    entry.connection = conn;
    const type = isReconnect ? "reconnected" : "connected";
    this.log({ level: "info", type, hostId: entry.hostId, message: type });
    return conn;
  }

  /** One connection attempt: TCP, key exchange with the pinned host key check, then public-key auth. */
  private connectClient(target: SshTarget): Promise<Client> {
    // Parse first so a bad key or passphrase gets a clear INVALID_KEY, not a connect error.
    inspectPrivateKey(target.privateKey, target.passphrase);
    if (target.hostKeyFingerprint.trim() === "") {
      return Promise.reject(
        new SshError(
          "HOST_KEY_MISMATCH",
          `No host key fingerprint is pinned for ${formatEndpoint(target)}: scan and confirm the host key first.`,
        ),
      );
    }

    const expected = normalizeFingerprint(target.hostKeyFingerprint);
    return new Promise<Client>((resolve, reject) => {
      const client = new (ssh2().Client)();
      let mismatch: SshError | undefined;
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        cleanup();
        client.end();
        reject(mismatch ?? toSshError(err, target));
      };
      const onReady = (): void => {
        settled = true;
        cleanup();
        client.setNoDelay(true);
        resolve(client);
      };
      const onClose = (): void =>
        fail(
          new SshError(
            "DISCONNECTED",
            `${formatEndpoint(target)} closed the connection before login completed: check that this port serves SSH, and sshd's logs (MaxStartups, AllowUsers).`,
          ),
        );
      const cleanup = (): void => {
        client.off("ready", onReady);
        client.off("error", fail);
        client.off("close", onClose);
        // Errors after this point belong to the pool's listeners; keep one so none is unhandled.
        client.on("error", () => {});
      };
      client.on("ready", onReady);
      client.on("error", fail);
      client.on("close", onClose);
      try {
        client.connect({
          host: target.address,
          port: target.port,
          username: target.username,
          privateKey: target.privateKey,
          ...(target.passphrase ? { passphrase: target.passphrase } : {}),
          // Only the key: skipping ssh2's default "none" probe saves a round trip per connect.
          authHandler: ["publickey"],
          readyTimeout: target.readyTimeoutMs ?? this.options.readyTimeoutMs,
          keepaliveInterval: this.options.keepaliveIntervalMs,
          keepaliveCountMax: this.options.keepaliveCountMax,
          algorithms: { serverHostKey: [...HOST_KEY_ALGORITHMS] },
          // Runs during key exchange, before any credential is sent.
          hostVerifier: (key: Buffer): boolean => {
            const received = fingerprintOf(key);
            if (received === expected) return true;
            mismatch = hostKeyMismatchError(target, expected, received);
            return false;
          },
        });
      } catch (err) {
        fail(err);
      }
    });
  }

  /** The lease is given back when the channel closes, which can be after a timeout already rejected. */
  private async runExec(
    lease: Lease,
    target: SshTarget,
    argv: readonly string[],
    command: string,
    opts: ExecOptions,
  ): Promise<ExecResult> {
    // Only the program name goes into messages: later arguments may hold secrets.
    const what = `"${argv[0] ?? ""}" on ${formatEndpoint(target)}`;
    const client = lease.conn.client;
    let started: { result: Promise<ExecResult> };
    try {
      started = await openSession<{ result: Promise<ExecResult> }>((cb) =>
        client.exec(command, (err, channel) => {
          if (err) return cb(err, undefined);
          // Listeners go on in this callback: exit-status can arrive in the same packet batch.
          channel.once("close", lease.release);
          cb(undefined, { result: this.collectExec(channel, what, opts) });
        }),
      );
    } catch (err) {
      lease.release();
      throw /Channel open failure|Unable to exec/.test(errorMessage(err))
        ? new SshError(
            "COMMAND_FAILED",
            `The host refused to start ${what}: ${errorMessage(err)}. Check sshd's MaxSessions and ForceCommand settings.`,
            { cause: err },
          )
        : toSshError(err, target);
    }
    return started.result;
  }

  private collectExec(channel: ClientChannel, what: string, opts: ExecOptions): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.options.execTimeoutMs;
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout = new CappedBuffer(this.options.maxOutputBytes);
      const stderr = new CappedBuffer(this.options.maxOutputBytes);
      let exit: { code: number | null; signal: string | null } | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(
          new SshError("COMMAND_FAILED", `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`),
        );
        // sshd may not honour the signal, so do not wait for the process to end.
        channel.signal("KILL");
        channel.close();
      }, timeoutMs);

      channel.on("data", (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      channel.on("error", () => {});
      channel.on("exit", (code: number | null, signal?: string) => {
        exit = { code: typeof code === "number" ? code : null, signal: signal ?? null };
      });
      channel.on("close", () => {
        clearTimeout(timer);
        if (timedOut) return;
        if (!exit) {
          reject(
            new SshError(
              "DISCONNECTED",
              `The connection dropped while ${what} was running; it may or may not have completed.`,
            ),
          );
          return;
        }
        resolve({
          ...exit,
          stdout: stdout.text(),
          stderr: stderr.text(),
          truncated: stdout.truncated || stderr.truncated,
        });
      });
      channel.end(opts.stdin);
    });
  }

  private backoffDelay(failures: number): number {
    const base = Math.min(
      this.options.backoffMaxMs,
      this.options.backoffInitialMs * 2 ** Math.max(0, failures - 1),
    );
    // Equal jitter: hosts dropped together do not all retry in the same instant.
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  private removeEntry(entry: HostEntry, reason: string): Promise<void> {
    entry.removed = true;
    if (this.hosts.get(entry.hostId) === entry) this.hosts.delete(entry.hostId);
    const conn = entry.connection;
    entry.connection = undefined;
    if (!conn || conn.closed) return Promise.resolve();
    conn.closedByPool = true;
    this.log({ level: "debug", type: "closed", hostId: entry.hostId, message: `closing connection: ${reason}` });
    return new Promise<void>((resolve) => {
      // A peer that never answers the disconnect must not hold close() up.
      const force = setTimeout(() => conn.client.destroy(), 3_000);
      conn.client.once("close", () => {
        clearTimeout(force);
        resolve();
      });
      conn.client.end();
    });
  }
}

/** Changing any of these for a host id means the old connection must not be reused. */
function identityOf(target: SshTarget): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        target.address,
        target.port,
        target.username,
        target.privateKey,
        target.passphrase ?? "",
        normalizeFingerprint(target.hostKeyFingerprint),
      ]),
    )
    .digest("hex");
}

class CappedBuffer {
  truncated = false;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** posix-rename replaces an existing file atomically; plain SFTP rename refuses to overwrite. */
function posixRename(sftp: SFTPWrapper, from: string, to: string, cb: (err?: Error | null) => void): void {
  try {
    sftp.ext_openssh_rename(from, to, cb);
  } catch {
    sftp.unlink(to, () => sftp.rename(from, to, cb));
  }
}

/**
 * Opens a session channel (exec or SFTP). sshd frees a session slot only
 * after the channel close is processed, so a slot the pool just released can
 * still be refused ("no more sessions"); such an open is retried briefly. The
 * command has not started then, so this is safe.
 */
async function openSession<T>(
  open: (cb: (err: Error | undefined, value: T | undefined) => void) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<T>((resolve, reject) => {
        open((err, value) => {
          if (err) reject(err);
          else if (value === undefined) reject(new Error("(SSH) Channel open failure: no channel"));
          else resolve(value);
        });
      });
    } catch (err) {
      if (attempt >= 5 || !/^\(SSH\) Channel open failure/.test(errorMessage(err))) throw err;
      await sleep(25 * attempt);
    }
  }
}

function sftpCall(run: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
