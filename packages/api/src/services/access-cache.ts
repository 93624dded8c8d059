import { randomUUID } from "node:crypto";

import type { Host } from "@wharf/db";
import pg from "pg";

import type { Logger, WharfDeps } from "../deps";
import { findHostForTeam } from "./hosts";
import { type ActiveMembership, resolveMembership } from "./teams";

const CHANNEL = "wharf_access";
/**
 * A bound on staleness if the listening connection died without the socket
 * noticing yet (keep-alive finds that in about 10 s): an entry is read again
 * after this long whatever was heard.
 */
const ENTRY_TTL_MS = 30_000;
const KEEPALIVE_DELAY_MS = 10_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

interface Entry {
  value: Promise<unknown>;
  expires: number;
}

/**
 * What every call reads before its work (the caller's membership, the host
 * row of a host-scoped call), kept per process until the row changes.
 *
 * Triggers on the tables announce every change, whoever makes it, on the
 * channel `wharf_access` ("Membership:<userId>", "Host:<hostId>", "<table>:*"
 * after a TRUNCATE); each process listens and drops the entries of that key.
 * Nothing is cached while the listening connection is down or not yet
 * listening, since a change made meanwhile would go unheard. A change is seen
 * by every process as soon as its notification arrives (milliseconds);
 * `settled()` waits for that.
 */
export class AccessCache {
  private client: pg.Client | null = null;
  private listening = false;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryAt = 0;
  private retryMs = RETRY_MIN_MS;
  private readonly entries = new Map<string, Entry>();
  private readonly syncs = new Map<string, () => void>();

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  /** `read()`'s result for `key` (its first part names the table whose changes drop it), from the cache while unchanged. */
  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.listening) {
      this.listen();
      return read();
    }
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    const value = read();
    const entry = { value, expires: now + ENTRY_TTL_MS };
    this.entries.set(key, entry);
    // A refusal (not a member, no such host) is read again next time.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /**
   * Resolves once this process listens and heard every change committed
   * before the call: notifications arrive in commit order, so hearing one
   * sent now is enough.
   */
  async settled(): Promise<void> {
    this.listen();
    await this.connecting;
    const client = this.client;
    if (!this.listening || !client) return;
    const id = randomUUID();
    const heard = new Promise<void>((resolve) => this.syncs.set(id, resolve));
    await client.query("SELECT pg_notify($1, $2)", [CHANNEL, `sync:${id}`]);
    await heard;
  }

  /** Drops every entry: after a change made here, this process's next calls read it without waiting for its notification. */
  forgetAll(): void {
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.entries.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.listening || this.connecting || this.closed || Date.now() < this.retryAt) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "wharf-access-cache", keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS });
    client.on("notification", (message) => this.heard(message.payload ?? ""));
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection closed")));
    this.client = client;
    this.connecting = (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        if (this.client !== client) return;
        this.listening = !this.closed;
        this.retryMs = RETRY_MIN_MS;
      } catch (error) {
        this.lost(client, error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.connecting = null;
      }
    })();
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    this.entries.clear();
    for (const resolve of this.syncs.values()) resolve();
    this.syncs.clear();
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn(`Access cache cannot hear changes (${error.message}): reading every call from the database for now`);
    this.retryAt = Date.now() + this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private heard(payload: string): void {
    const at = payload.indexOf(":");
    const table = payload.slice(0, at);
    const key = payload.slice(at + 1);
    if (table === "sync") {
      this.syncs.get(key)?.();
      this.syncs.delete(key);
      return;
    }
    const prefix = at === -1 ? "" : key === "*" ? `${table}:` : `${table}:${key}:`;
    for (const cached of this.entries.keys()) if (cached.startsWith(prefix)) this.entries.delete(cached);
  }
}

/** How a call reads: mutations read fresh (they act on what they read), queries and subscriptions may use the cache. */
export interface AccessRead {
  fresh: boolean;
}

/** resolveMembership, cached until the user's memberships change. */
export function cachedMembership(deps: WharfDeps, userId: string, requestedTeamId: string | null, read: AccessRead): Promise<ActiveMembership> {
  const load = () => resolveMembership(deps, userId, requestedTeamId);
  return read.fresh ? load() : deps.access.get(`Membership:${userId}:${requestedTeamId ?? ""}`, load);
}

/** findHostForTeam, cached until the host's row changes. */
export function cachedHostForTeam(deps: WharfDeps, teamId: string, hostId: string, read: AccessRead): Promise<Host> {
  const load = () => findHostForTeam(deps, teamId, hostId);
  return read.fresh ? load() : deps.access.get(`Host:${hostId}:${teamId}`, load);
}
