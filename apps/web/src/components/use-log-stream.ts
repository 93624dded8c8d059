import { useCallback, useEffect, useRef, useState } from "react";

import { errorMessage } from "~/lib/errors";
import { LogBuffer, LogChunk } from "~/lib/log-buffer";
import { ReorderWindow } from "~/lib/log-order";
import { renderDue } from "~/lib/log-pacing";
import { useTRPCClient } from "~/trpc/react";

/** Lines kept in the browser; older ones are dropped (the UI says so). */
export const LOG_CAPACITY = 200_000;
/** How long lines wait to be put in timestamp order with other containers' lines (the agent sends what all containers printed within 16 ms together). */
const REORDER_MS = 100;

export type StreamState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; error: string | null }
  | { kind: "ended" }
  | { kind: "failed"; error: string };

/** Whose logs: a stack's containers on one of its hosts, or any one container of a host. */
export type LogSource = { kind: "stack"; stackId: string; hostId: string } | { kind: "container"; hostId: string; containerId: string };

export interface LogStreamParams {
  source: LogSource;
  tail: number | "all";
  /** A duration such as 15m, or an RFC 3339 time; empty for none. */
  since: string;
  /** Several containers are expected from the start (a stack of several services): their lines are held a moment to interleave by time. Read once, when the view mounts. */
  several: boolean;
}

export interface LogStream {
  buffer: LogBuffer;
  /** Bumped at most once per animation frame while lines arrive. */
  version: number;
  state: StreamState;
  /** After a failure: open the stream again where it stopped (the server resumes after the last batch received). */
  reconnect: () => void;
  /** Empties the view; the stream goes on. */
  clear: () => void;
}

/**
 * `compose logs -f` for one host, into a bounded buffer outside React. Lines
 * are appended as they arrive; React hears of them once per frame. A dropped
 * connection is resumed by the link with the id of the last batch received;
 * a failed one can be resumed the same way by `reconnect`.
 */
export function useLogStream({ source, tail, since, several }: LogStreamParams): LogStream {
  const client = useTRPCClient();
  const [buffer] = useState(() => new LogBuffer(LOG_CAPACITY));
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>({ kind: "connecting" });
  const [attempt, setAttempt] = useState(0);
  const cursor = useRef<string | null>(null);
  const streamKey = useRef<string | null>(null);
  const frame = useRef<number | null>(null);
  const [reorder] = useState(() => new ReorderWindow(REORDER_MS, LOG_CAPACITY, several));
  const sourceKey = JSON.stringify(source);

  // Once per animation frame: release the lines whose reorder wait is over, then let React render
  // them when due (see renderDue).
  const rendered = useRef({ at: 0, lines: 0 });
  // When lines last came from the stream.
  const arrivedAt = useRef(0);
  const scheduleRender = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(function flush(now) {
      frame.current = null;
      const ready = reorder.take(now);
      if (ready.length > 0) buffer.push(ready);
      for (const chunk of ready) rendered.current.lines += chunk.length;
      const due = renderDue({ now, renderedAt: rendered.current.at, linesSinceRender: rendered.current.lines, arrivedAt: arrivedAt.current });
      if (due) {
        rendered.current = { at: now, lines: 0 };
        setVersion(buffer.version);
      }
      if (reorder.size > 0 || !due) frame.current = requestAnimationFrame(flush);
    });
  }, [buffer, reorder]);

  useEffect(() => {
    // New parameters start a new stream into an empty buffer; a reconnect resumes into the same one.
    const key = JSON.stringify([sourceKey, tail, since]);
    if (streamKey.current !== key) {
      streamKey.current = key;
      buffer.clear();
      reorder.clear();
      cursor.current = null;
      scheduleRender();
    }
    const resumeFrom = cursor.current;
    const params = { tail, follow: true, ...(since ? { since } : {}), ...(resumeFrom ? { lastEventId: resumeFrom } : {}) };
    const handlers = {
      onStarted: () => setState({ kind: "live" }),
        onData: ({ id, data }) => {
          cursor.current = id;
          arrivedAt.current = performance.now();
          reorder.add(new LogChunk(data.service, data.container, data.lines), performance.now());
          // No frames while the tab is hidden: past the window's bound, lines go straight to the (bounded) buffer.
          if (reorder.overflowing) buffer.push(reorder.take(performance.now()));
          scheduleRender();
        },
        onConnectionStateChange: (change) => {
          if (change.state === "connecting") setState(change.error ? { kind: "reconnecting", error: errorMessage(change.error) } : { kind: "connecting" });
          if (change.state === "pending") setState({ kind: "live" });
        },
        onError: (error) => setState({ kind: "failed", error: errorMessage(error) }),
        onComplete: () => setState({ kind: "ended" }),
    } satisfies Parameters<typeof client.stack.logs.subscribe>[1];
    // Parsed back from its key: the effect restarts when the source changes by value, not by identity.
    const source = JSON.parse(sourceKey) as LogSource;
    const subscription =
      source.kind === "stack"
        ? client.stack.logs.subscribe({ stackId: source.stackId, hostId: source.hostId, ...params }, handlers)
        : client.container.logs.subscribe({ hostId: source.hostId, containerId: source.containerId, ...params }, handlers);
    return () => subscription.unsubscribe();
  }, [client, buffer, reorder, scheduleRender, sourceKey, tail, since, attempt]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  return {
    buffer,
    version,
    state,
    reconnect: () => setAttempt((value) => value + 1),
    clear: () => {
      buffer.clear();
      reorder.clear();
      setVersion(buffer.version);
    },
  };
}
