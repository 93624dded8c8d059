import { type ComposeLogBatch, type ComposeLogLine, composeServiceName, logSince } from "@wharf/agent-protocol";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { countedLogStream } from "../lib/metrics";
import { plainJson } from "../lib/plain-json";
import { openAgentStream } from "./hosts";
import { projectOwner } from "./project-owner";
import { targetOf } from "./stacks";

export const stackLogsInput = z.object({
  stackId: z.string().min(1),
  hostId: z.string().min(1),
  /** Only these services; all when absent. */
  services: z.array(composeServiceName).min(1).max(100).optional(),
  /** Lines per container from the end of its log. */
  tail: z.union([z.number().int().min(0).max(100_000), z.literal("all")]).default(200),
  since: logSince.optional(),
  follow: z.boolean().default(true),
  /** Sent back by a reconnecting client (the id of the last event it got): the stream resumes after it. */
  lastEventId: z.string().max(64 * 1024).nullish(),
});
export type StackLogsInput = z.infer<typeof stackLogsInput>;

/** Batches sent to the browser are at most this big, whatever the agent sent. */
export const MAX_EVENT_LINES = 500;
export const MAX_EVENT_BYTES = 256 * 1024;

export type LogEvent = ComposeLogBatch & {
  /** Where the stream is: pass it back as `lastEventId` to resume after this batch. */
  cursor: string;
};

/** Docker's RFC 3339 times with up to 9 fraction digits, as nanoseconds (string compare fails on "…00.5Z" vs "…00.45Z"). */
export function timestampNanos(at: string): bigint | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(at);
  if (!match?.[1] || !match[3]) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** The last line time seen per container: enough to resume every container's log exactly after it. */
export type LogCursor = Record<string, string>;

export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(text: string | null | undefined): LogCursor | null {
  if (!text) return null;
  try {
    const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The earliest time in the cursor: where the agent must start so no container misses a line. */
export function resumeSince(cursor: LogCursor): string | null {
  let earliest: { at: string; nanos: bigint } | null = null;
  for (const at of Object.values(cursor)) {
    const nanos = timestampNanos(at);
    if (nanos !== null && (earliest === null || nanos < earliest.nanos)) earliest = { at, nanos };
  }
  return earliest?.at ?? null;
}

/** Lines of `batch` the client has not seen: later than the cursor's time for that container. */
export function unseenLines(batch: ComposeLogBatch, cursor: LogCursor | null): ComposeLogLine[] {
  const seen = cursor?.[batch.containerId];
  const seenNanos = seen === undefined ? null : timestampNanos(seen);
  if (seenNanos === null) return batch.lines;
  return batch.lines.filter((line) => (timestampNanos(line.at) ?? 0n) > seenNanos);
}

/** Splits a batch so no event exceeds MAX_EVENT_LINES lines or about MAX_EVENT_BYTES. */
export function splitLines(lines: ComposeLogLine[]): ComposeLogLine[][] {
  const chunks: ComposeLogLine[][] = [];
  let chunk: ComposeLogLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = line.line.length + line.at.length + 16;
    if (chunk.length > 0 && (chunk.length >= MAX_EVENT_LINES || bytes + size > MAX_EVENT_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(line);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Checks access and opens the agent's log stream before the subscription starts, so errors fail the call. */
export async function openStackLogs(deps: WharfDeps, teamId: string, input: StackLogsInput, signal?: AbortSignal): Promise<AsyncGenerator<LogEvent, void, undefined>> {
  const { stack, host } = await targetOf(deps, teamId, input.stackId, input.hostId);
  const { resumed, window } = logWindow(input);
  const frames = await openAgentStream(
    deps,
    host,
    "composeLogs",
    {
      name: stack.name,
      owner: await projectOwner(deps, stack.id, host.id),
      ...(input.services ? { services: input.services } : {}),
      ...window,
      follow: input.follow,
    },
    signal ? { signal } : {},
  );
  return countedLogStream(forwardLogBatches(frames, resumed));
}

/**
 * Where an agent's log stream starts: tail and since as asked, or, when
 * resuming, everything since the earliest line seen (forwardLogBatches then
 * drops what each container already delivered).
 */
export function logWindow(input: { tail: number | "all"; since?: string | undefined; lastEventId?: string | null | undefined }) {
  const resumed = decodeCursor(input.lastEventId);
  const since = resumed ? resumeSince(resumed) : null;
  const window: { tail: number | "all"; since?: string } = since ? { since, tail: "all" } : { tail: input.tail, ...(input.since ? { since: input.since } : {}) };
  return { resumed, window };
}

/**
 * Forwards the agent's batches as they come. Each one is pulled only when the
 * previous was consumed, so a slow browser slows the agent's stream (and,
 * through it, Docker's) rather than buffering here.
 */
export async function* forwardLogBatches(frames: AsyncGenerator<ComposeLogBatch, void, undefined>, resumed: LogCursor | null): AsyncGenerator<LogEvent, void, undefined> {
  const cursor: LogCursor = { ...resumed };
  for await (const batch of frames) {
    const lines = unseenLines(batch, resumed);
    for (const chunk of splitLines(lines)) {
      const last = chunk.at(-1);
      if (last) cursor[batch.containerId] = last.at;
      yield plainJson({ service: batch.service, container: batch.container, containerId: batch.containerId, lines: chunk, cursor: encodeCursor(cursor) });
    }
  }
}
