import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

import { type ComposeLogBatch, type ComposeLogLine, MAX_LOG_BATCH_LINES, MAX_LOG_LINE, type ProjectOwner } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { AgentFailure } from "../failure";
import type { Logger } from "../log";
import { LineSplitter } from "./lines";
import { ownedBy } from "./ownership";

const PROJECT_LABEL = "com.docker.compose.project";
const SERVICE_LABEL = "com.docker.compose.service";
const ONEOFF_LABEL = "com.docker.compose.oneoff";
// Batches waiting for a slow client before Docker's log streams are paused.
const HIGH_WATER_BATCHES = 16;
// Lines are held until this much text is queued, or for at most this long: a burst goes out in
// few large frames (each costs a validation, a JSON frame and a write), a lone line barely waits.
const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 16;
// Per line beyond its text: the timestamp, the stream and the JSON around them.
const LINE_OVERHEAD_BYTES = 64;

type StreamName = ComposeLogLine["stream"];

/**
 * Docker's multiplexed log stream (containers without a TTY): frames of an
 * 8-byte header (stream type, 3 zero bytes, big-endian payload size), then
 * the payload. Frames may be split anywhere across chunks.
 */
export class DockerLogDemuxer {
  private rest: Buffer = Buffer.alloc(0);

  /**
   * Calls `frame` with each whole frame's payload as bytes `start` to `end` of `buffer`: Docker
   * sends a frame per log line, so no object or buffer view is made per frame.
   */
  push(chunk: Buffer, frame: (stream: StreamName, buffer: Buffer, start: number, end: number) => void): void {
    const buffer = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 8) {
      const start = offset + 8;
      const end = start + buffer.readUInt32BE(offset + 4);
      if (end > buffer.length) break;
      // 2 is stderr; 1 is stdout and 0 (stdin, for attached TTYs) is shown as stdout.
      frame(buffer[offset] === 2 ? "stderr" : "stdout", buffer, start, end);
      offset = end;
    }
    this.rest = buffer.subarray(offset);
  }
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
// A TTY container's log has no frames to tell entries apart: lines are bounded this long before being cut.
const MAX_TTY_LINE = 1024 * 1024;

interface LineState {
  decoder: StringDecoder;
  /** The last entry did not end its line: the next one continues it (and may finish a character). */
  open: boolean;
  /** Text of a line whose newline has not arrived yet, and the time of its first entry. */
  pending: string;
  pendingAt: string;
  lastAt: string;
}

/**
 * The lines of one container's log, requested with timestamps=1. Docker sends
 * one frame per log entry, "<RFC 3339 time> <text>"; a line longer than 16 KiB
 * was stored as several entries without newlines, each with its own time, so
 * entries are joined up to their newline and the line keeps its first time.
 */
export class ContainerLogParser {
  private readonly demuxer: DockerLogDemuxer | null;
  private readonly tty: LineSplitter | null;
  private readonly state: Record<StreamName, LineState> = { stdout: newLineState(), stderr: newLineState() };

  /** A container with a TTY has one raw stream instead of frames. */
  constructor(tty: boolean) {
    this.demuxer = tty ? null : new DockerLogDemuxer();
    this.tty = tty ? new LineSplitter(MAX_TTY_LINE) : null;
  }

  push(chunk: Buffer): ComposeLogLine[] {
    const out: ComposeLogLine[] = [];
    if (this.tty !== null) {
      for (const line of this.tty.push(chunk)) this.ttyLine(line, out);
      return out;
    }
    this.demuxer?.push(chunk, (stream, buffer, start, end) => this.entry(stream, buffer, start, end, out));
    return out;
  }

  end(): ComposeLogLine[] {
    const out: ComposeLogLine[] = [];
    if (this.tty !== null) for (const line of this.tty.end()) this.ttyLine(line, out);
    for (const stream of ["stdout", "stderr"] as const) {
      const state = this.state[stream];
      const rest = state.pending + state.decoder.end();
      if (rest !== "") emitCapped(stream, state.pendingAt || state.lastAt, rest, out);
      state.pending = "";
    }
    return out;
  }

  private entry(stream: StreamName, buffer: Buffer, start: number, end: number, out: ComposeLogLine[]): void {
    const state = this.state[stream];
    // The time is ASCII: cut it off as bytes, so a character split between two entries is joined intact.
    let space = -1;
    for (let index = start + 1; index < end && index <= start + 40; index++) {
      if (buffer[index] === 32) {
        space = index;
        break;
      }
    }
    const candidate = space === -1 ? "" : buffer.toString("latin1", start, space);
    const stamped = TIMESTAMP.test(candidate);
    const at = stamped ? candidate : state.lastAt;
    state.lastAt = at;
    const from = stamped ? space + 1 : start;
    if (from === end) return;
    const ends = buffer[end - 1] === 10;
    // The usual entry, one whole line after a whole line, is decoded in one go; the decoder is for a
    // line Docker stored as several entries, whose pieces may split a character.
    if (!state.open && ends && buffer.indexOf(10, from) === end - 1) {
      emitCapped(stream, at, buffer.toString("utf8", from, end - 1), out);
      return;
    }
    state.open = !ends;
    const text = state.decoder.write(buffer.subarray(from, end));
    let cut = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", cut)) {
      const line = state.pending + text.slice(cut, newline);
      emitCapped(stream, state.pending === "" ? at : state.pendingAt, line, out);
      state.pending = "";
      cut = newline + 1;
    }
    if (cut === text.length) return;
    if (state.pending === "") state.pendingAt = at;
    state.pending += text.slice(cut);
    // Without a newline in sight the line is cut, so one chatty entry cannot grow the agent's memory.
    while (state.pending.length >= MAX_LOG_LINE) {
      out.push({ stream, at: state.pendingAt, line: state.pending.slice(0, MAX_LOG_LINE) });
      state.pending = state.pending.slice(MAX_LOG_LINE);
    }
  }

  private ttyLine(text: string, out: ComposeLogLine[]): void {
    const state = this.state.stdout;
    // A TTY ends lines with \r\n.
    const raw = text.endsWith("\r") ? text.slice(0, -1) : text;
    const space = raw.indexOf(" ");
    const candidate = space === -1 ? raw : raw.slice(0, space);
    if (TIMESTAMP.test(candidate)) {
      state.lastAt = candidate;
      emitCapped("stdout", candidate, space === -1 ? "" : raw.slice(space + 1), out);
    } else {
      emitCapped("stdout", state.lastAt, raw, out);
    }
  }
}

function newLineState(): LineState {
  return { decoder: new StringDecoder("utf8"), open: false, pending: "", pendingAt: "", lastAt: "" };
}

function emitCapped(stream: StreamName, at: string, line: string, out: ComposeLogLine[]): void {
  if (line.length <= MAX_LOG_LINE) {
    out.push({ stream, at, line });
    return;
  }
  for (let start = 0; start < line.length; start += MAX_LOG_LINE) out.push({ stream, at, line: line.slice(start, start + MAX_LOG_LINE) });
}

/** An RFC 3339 time as nanoseconds since the epoch (Docker's resolution); null when unreadable. */
export function timestampNanos(at: string): bigint | null {
  const match = /^(.+T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(at);
  if (!match?.[1] || !match[3]) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0") || "0");
}

/** Docker's `since` query value (seconds with a fraction) for RFC 3339 times and durations before `now`. */
export function dockerSince(since: string, now = Date.now()): string {
  if (TIMESTAMP.test(since)) {
    const nanos = timestampNanos(since);
    if (nanos !== null) return `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}`;
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(since);
  const seconds = Number(match?.[1] ?? 0) * 3600 + Number(match?.[2] ?? 0) * 60 + Number(match?.[3] ?? 0);
  return String(Math.floor(now / 1000) - seconds);
}

export interface ProjectLogOptions {
  project: string;
  /** This one container instead of the project's (any container of the host, Wharf's or not); `project` is then ignored. */
  container?: string;
  /** Only this owner's containers are followed. */
  owner: ProjectOwner | undefined;
  services: string[] | undefined;
  tail: number | "all";
  since: string | undefined;
  follow: boolean;
}

interface Target {
  id: string;
  name: string;
  service: string;
  tty: boolean;
}

const listedContainer = z.object({ Id: z.string(), Labels: z.record(z.string(), z.string()).nullish() });
const inspectedContainer = z.object({ Name: z.string(), Config: z.object({ Tty: z.boolean().nullish() }) });
const runningState = z.object({ State: z.object({ Running: z.boolean() }) });
const startEvent = z.object({
  id: z.string().nullish(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).nullish() }).nullish(),
});

/**
 * The logs of a compose project's containers as one object stream of
 * `ComposeLogBatch`, read from Docker directly (not through `compose logs`):
 * each container's log stream is demultiplexed, and what arrived in one turn
 * of the event loop goes out as one batch per container, containers in the
 * order they spoke. When the consumer is slow every Docker stream is paused,
 * so memory stays bounded by HIGH_WATER_BATCHES. With `follow`, containers
 * that start later are attached too (a restarted one from where it left off).
 * A container removed meanwhile (a redeploy) is skipped.
 */
export class ProjectLogStream extends Readable {
  private readonly abort = new AbortController();
  private readonly sources = new Set<IncomingMessage>();
  /** Container ids with an open log stream. */
  private readonly attached = new Set<string>();
  /**
   * The time of the newest line seen per container, so a re-attach does not repeat lines. Kept as
   * Docker wrote it and converted at the re-attach: converting on every chunk (a line each, as
   * Docker flushes every entry) cost more than the rest of the parsing.
   */
  private readonly lastSeen = new Map<string, string>();
  private paused = false;
  private pendingAttaches = 0;
  private listed = false;
  /** Start events that arrived before the initial listing was attached; handled right after it. */
  private earlyStarts: string[] = [];
  /** Lines waiting for the next flush, per container in the order they arrived. */
  private readonly queued = new Map<string, { target: Target; lines: ComposeLogLine[] }>();
  private queuedBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private ending = false;

  constructor(
    private readonly docker: Docker,
    private readonly options: ProjectLogOptions,
    private readonly log: Logger,
  ) {
    super({ objectMode: true, highWaterMark: HIGH_WATER_BATCHES });
  }

  /** Subscribes (with follow) and attaches to the project's containers; resolves once all log streams are open. */
  async start(): Promise<void> {
    if (this.options.follow) await this.watchStarts();
    const listed = parseDockerResponse(
      z.array(listedContainer),
      await this.docker.listContainers({ all: true, filters: this.scope(), abortSignal: this.abort.signal }),
      "container list",
    );
    if (this.options.container !== undefined && listed.length === 0) throw new AgentFailure("NOT_FOUND", `No such container: ${this.options.container}`);
    const found = await Promise.all(
      listed
        .filter((container) => this.wants(container.Labels))
        .map((container) => this.target(container.Id, container.Labels?.[SERVICE_LABEL] ?? "")),
    );
    const targets = found.filter((target) => target !== null).sort((a, b) => a.name.localeCompare(b.name));
    await Promise.all(targets.map((target) => this.attach(target, this.options.since, this.options.tail)));
    this.listed = true;
    for (const line of this.earlyStarts.splice(0)) this.onStartEvent(line);
    this.endIfDone();
  }

  override _read(): void {
    this.paused = false;
    for (const source of this.sources) source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.abort.abort();
    for (const source of this.sources) source.destroy();
    callback(error);
  }

  /** Docker's filter for the containers this stream reads. */
  private scope(): Record<string, string[]> {
    return this.options.container === undefined ? { label: [`${PROJECT_LABEL}=${this.options.project}`] } : { id: [this.options.container] };
  }

  private wants(labels: Record<string, string> | null | undefined): boolean {
    if (this.options.container !== undefined) return true;
    const service = labels?.[SERVICE_LABEL];
    if (labels?.[ONEOFF_LABEL] === "True" || !ownedBy(labels, this.options.owner)) return false;
    return service !== undefined && (this.options.services === undefined || this.options.services.includes(service));
  }

  /** What attaching to a container needs; null when it is gone already. */
  private async target(id: string, service: string): Promise<Target | null> {
    let raw: unknown;
    try {
      raw = await this.docker.getContainer(id).inspect({ abortSignal: this.abort.signal });
    } catch (error) {
      if (isGone(error)) return null;
      throw error;
    }
    const inspected = parseDockerResponse(inspectedContainer, raw, "container");
    const name = inspected.Name.replace(/^\//, "");
    // A single container outside compose is shown under its own name.
    return { id, service: service || (this.options.container === undefined ? "" : name), name, tty: inspected.Config.Tty ?? false };
  }

  private async attach(target: Target, since: string | undefined, tail: number | "all"): Promise<void> {
    if (this.attached.has(target.id) || this.destroyed) return;
    this.attached.add(target.id);
    this.pendingAttaches++;
    const seenAt = this.lastSeen.get(target.id);
    const seen = seenAt === undefined ? undefined : (timestampNanos(seenAt) ?? undefined);
    let response: IncomingMessage;
    try {
      response = await this.openLogs(target.id, {
        follow: this.options.follow,
        stdout: true,
        stderr: true,
        timestamps: true,
        tail: seen === undefined ? String(tail) : "all",
        ...(seen !== undefined
          ? { since: `${seen / 1_000_000_000n}.${(seen % 1_000_000_000n).toString().padStart(9, "0")}` }
          : since === undefined
            ? {}
            : { since: dockerSince(since) }),
      });
    } catch (error) {
      this.attached.delete(target.id);
      if (!this.destroyed && !isGone(error)) this.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    } finally {
      this.pendingAttaches--;
    }
    if (this.destroyed) {
      response.destroy();
      return;
    }
    const parser = new ContainerLogParser(target.tty);
    this.sources.add(response);
    if (this.paused) response.pause();
    response.on("data", (chunk: Buffer) => this.deliver(target, parser.push(chunk), seen));
    response.once("end", () => {
      this.deliver(target, parser.end(), seen);
      this.sources.delete(response);
      this.attached.delete(target.id);
      // Docker ends a follow when the container stops; if it already runs again, its start event was ignored.
      if (this.options.follow) this.reattachIfRunning(target);
      this.endIfDone();
    });
    response.once("error", (error) => {
      this.sources.delete(response);
      this.attached.delete(target.id);
      if (!this.destroyed) this.log.warn("container log stream failed", { container: target.name, error: error.message });
      this.endIfDone();
    });
  }

  private deliver(target: Target, lines: ComposeLogLine[], skipUpTo: bigint | undefined): void {
    if (lines.length === 0 || this.destroyed) return;
    let fresh = lines;
    if (skipUpTo !== undefined) {
      // `since` is inclusive: drop what the earlier stream of this container already delivered.
      fresh = lines.filter((line) => {
        const nanos = timestampNanos(line.at);
        return nanos === null || nanos > skipUpTo;
      });
      if (fresh.length === 0) return;
    }
    const newest = fresh[fresh.length - 1]?.at;
    if (this.options.follow && newest) this.lastSeen.set(target.id, newest);
    const queued = this.queued.get(target.id);
    if (queued === undefined) this.queued.set(target.id, { target, lines: fresh });
    else for (const line of fresh) queued.lines.push(line);
    for (const line of fresh) this.queuedBytes += line.line.length + LINE_OVERHEAD_BYTES;
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /**
   * Sends what was queued, one batch per container in the order they spoke.
   * Docker writes every log entry as its own chunk; batching by size and time
   * keeps a frame per line from dominating.
   */
  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.queuedBytes = 0;
    if (this.destroyed) return;
    let flowing = true;
    for (const { target, lines } of this.queued.values()) {
      for (let start = 0; start < lines.length; start += MAX_LOG_BATCH_LINES) {
        const batch: ComposeLogBatch = {
          service: target.service,
          container: target.name,
          containerId: target.id,
          lines: start === 0 && lines.length <= MAX_LOG_BATCH_LINES ? lines : lines.slice(start, start + MAX_LOG_BATCH_LINES),
        };
        flowing = this.push(batch) && flowing;
      }
    }
    this.queued.clear();
    if (!flowing) this.pauseSources();
    if (this.ending) this.push(null);
  }

  private reattachIfRunning(target: Target): void {
    this.docker
      .getContainer(target.id)
      .inspect({ abortSignal: this.abort.signal })
      .then((raw) => {
        if (parseDockerResponse(runningState, raw, "container").State.Running) return this.attach(target, undefined, "all");
      })
      .catch(() => undefined);
  }

  private pauseSources(): void {
    this.paused = true;
    for (const source of this.sources) source.pause();
  }

  /** Without follow, the stream ends once every container's log has been read and sent. */
  private endIfDone(): void {
    if (this.options.follow || !this.listed || this.destroyed || this.ending) return;
    if (this.sources.size > 0 || this.pendingAttaches > 0) return;
    this.ending = true;
    if (this.flushTimer === null) this.push(null);
  }

  private openLogs(id: string, query: Record<string, string | boolean>): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      // dockerode's container.logs() buffers the whole log unless following; the modem streams it either way.
      this.docker.modem.dial(
        {
          path: `/containers/${id}/logs?`,
          method: "GET",
          isStream: true,
          abortSignal: this.abort.signal,
          statusCodes: { 200: true, 404: "no such container", 500: "server error" },
          options: query,
        },
        (error, response) => {
          if (error) reject(error);
          else resolve(response as IncomingMessage);
        },
      );
    });
  }

  /** Attaches to the project's containers as they start (a redeploy, a restart). */
  private async watchStarts(): Promise<void> {
    const events = (await this.docker.getEvents({
      filters: { type: ["container"], event: ["start"], ...(this.options.container === undefined ? this.scope() : { container: [this.options.container] }) },
      abortSignal: this.abort.signal,
    })) as Readable;
    const splitter = new LineSplitter(64 * 1024);
    events.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        if (this.listed) this.onStartEvent(line);
        else this.earlyStarts.push(line);
      }
    });
    events.once("error", (error) => {
      if (!this.destroyed) this.destroy(error);
    });
  }

  private onStartEvent(line: string): void {
    let parsed: z.infer<typeof startEvent>;
    try {
      parsed = startEvent.parse(JSON.parse(line));
    } catch {
      return;
    }
    const id = parsed.Actor?.ID ?? parsed.id;
    const attributes = parsed.Actor?.Attributes ?? {};
    if (!id || this.attached.has(id) || !this.wants(attributes)) return;
    // A container new to this stream is shown from its first line.
    this.target(id, attributes[SERVICE_LABEL] ?? "")
      .then((target) => (target === null ? undefined : this.attach(target, undefined, "all")))
      .catch((error: unknown) => this.log.warn("could not attach to a started container", { id, error: String(error) }));
  }
}

/** Docker's 404: the container was removed since it was listed. */
function isGone(error: unknown): boolean {
  return typeof error === "object" && error !== null && "statusCode" in error && error.statusCode === 404;
}
