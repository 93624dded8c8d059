"use client";

import type { DockerEvent } from "@wharf/agent-protocol";
import { SearchIcon } from "lucide-react";
import { useEffect, useState } from "react";

import { Badge } from "~/components/ui/badge";
import { Input } from "~/components/ui/input";
import { errorMessage } from "~/lib/errors";
import { useTRPCClient } from "~/trpc/react";

/** The newest events kept on screen. */
const KEEP = 500;
const TYPES = ["container", "image", "volume", "network"] as const;

function describe(event: DockerEvent): string {
  const name = event.attributes.name ?? event.attributes.image ?? event.actorId.slice(0, 12);
  return `${name}${event.attributes.exitCode ? ` (exit ${event.attributes.exitCode})` : ""}`;
}

/** The host's Docker events live, newest first, filtered by type and by text. */
export function EventsTab({ hostId }: { hostId: string }) {
  const client = useTRPCClient();
  const [events, setEvents] = useState<(DockerEvent & { seq: number })[]>([]);
  const [types, setTypes] = useState<ReadonlySet<string>>(new Set(TYPES));
  const [text, setText] = useState("");
  const [state, setState] = useState<{ kind: "connecting" } | { kind: "live" } | { kind: "failed"; error: string }>({ kind: "connecting" });

  useEffect(() => {
    let seq = 0;
    const subscription = client.dockerEvents.live.subscribe(
      { hostId },
      {
        onStarted: () => setState({ kind: "live" }),
        onData: (event) => setEvents((current) => [{ ...event, seq: seq++ }, ...current].slice(0, KEEP)),
        onError: (error) => setState({ kind: "failed", error: errorMessage(error) }),
      },
    );
    return () => subscription.unsubscribe();
  }, [client, hostId]);

  const needle = text.trim().toLowerCase();
  const shown = events.filter((event) => types.has(event.type) && (!needle || `${event.action} ${describe(event)} ${event.actorId}`.toLowerCase().includes(needle)));
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label="Event types shown" className="flex gap-1.5">
          {TYPES.map((type) => (
            <button
              key={type}
              type="button"
              aria-pressed={types.has(type)}
              onClick={() =>
                setTypes((current) => {
                  const next = new Set(current);
                  if (next.has(type)) next.delete(type);
                  else next.add(type);
                  return next;
                })
              }
              className="inline-flex h-7 items-center rounded-full border px-2.5 text-xs outline-none aria-pressed:bg-card aria-[pressed=false]:text-muted-foreground aria-[pressed=false]:line-through focus-visible:ring-[3px] focus-visible:ring-ring/50"
            >
              {type}
            </button>
          ))}
        </div>
        <div className="relative w-full max-w-xs">
          <SearchIcon aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input type="search" aria-label="Filter events" placeholder="Filter…" value={text} onChange={(event) => setText(event.target.value)} className="h-8 pl-8" />
        </div>
        <span role="status" className="ml-auto">
          {state.kind === "live" ? <Badge variant="success">Live</Badge> : state.kind === "connecting" ? <Badge variant="secondary">Connecting…</Badge> : <Badge variant="destructive" title={state.error}>Disconnected: {state.error}</Badge>}
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="rounded-lg border p-6 text-center text-sm text-muted-foreground">No events yet: they appear here as Docker reports them.</p>
      ) : (
        <ol className="grid divide-y rounded-lg border bg-card" aria-label="Docker events, newest first">
          {shown.map((event) => (
            <li key={event.seq} className="flex flex-wrap items-center gap-3 px-3 py-1.5 text-sm">
              <time className="font-mono text-xs text-muted-foreground tabular-nums" dateTime={new Date(event.time).toISOString()}>
                {new Date(event.time).toLocaleTimeString()}
              </time>
              <Badge variant="outline">{event.type}</Badge>
              <span className="font-medium">{event.action}</span>
              <span className="min-w-0 truncate font-mono text-xs">{describe(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
