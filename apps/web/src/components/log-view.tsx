"use client";

import {
  ArrowDownIcon,
  ChevronDownIcon,
  ChevronUpIcon,
  CircleIcon,
  DownloadIcon,
  EraserIcon,
  PauseIcon,
  PlayIcon,
  RefreshCwIcon,
  SearchIcon,
  WifiOffIcon,
} from "lucide-react";
import { type KeyboardEvent, type ReactNode, useRef, useState } from "react";

import { LogList, type LogListHandle } from "~/components/log-list";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { LOG_CAPACITY, type LogSource, type StreamState, useLogStream } from "~/components/use-log-stream";
import type { LogLine } from "~/lib/log-buffer";
import { serviceColor } from "~/lib/service-colors";
import { cn } from "~/lib/utils";

const TAILS = [100, 500, 1_000, 10_000, "all"] as const;
const SINCES = [
  { value: "", label: "Any time" },
  { value: "5m", label: "Last 5 minutes" },
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "6h", label: "Last 6 hours" },
  { value: "24h", label: "Last 24 hours" },
] as const;
const numberFormat = new Intl.NumberFormat("en");

function StreamBadge({ state, onReconnect }: { state: StreamState; onReconnect: () => void }) {
  switch (state.kind) {
    case "connecting":
      return <Badge variant="secondary">Connecting…</Badge>;
    case "live":
      return (
        <Badge variant="success">
          <CircleIcon aria-hidden className="fill-current" />
          Live
        </Badge>
      );
    case "reconnecting":
      return (
        <Badge variant="warning" title={state.error ?? undefined}>
          <WifiOffIcon aria-hidden />
          Reconnecting, resuming after the last line…
        </Badge>
      );
    case "ended":
      return <Badge variant="secondary">Stream ended</Badge>;
    case "failed":
      return (
        <span className="flex items-center gap-2">
          <Badge variant="destructive" title={state.error}>
            <WifiOffIcon aria-hidden />
            Disconnected
          </Badge>
          <span className="max-w-md truncate text-xs text-destructive" title={state.error}>
            {state.error}
          </span>
          <Button size="sm" variant="outline" onClick={onReconnect}>
            <RefreshCwIcon aria-hidden />
            Reconnect
          </Button>
        </span>
      );
  }
}

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

export interface LogViewProps {
  source: LogSource;
  /** Services known before any line arrives (a stack's files); the buffer adds those it sees. */
  knownServices: string[];
  /** The text before each line, e.g. the container without its project prefix. */
  prefix: (line: LogLine) => string;
  label: string;
  /** The downloaded file's name, without the time and extension. */
  fileName: string;
  /** Extra controls before Tail, e.g. a host picker. */
  controls?: ReactNode;
}

/** Follow, tail, since, search, pause, download and timestamps over a bounded buffer: the one log view of stacks and containers. */
export function LogView({ source, knownServices, prefix, label, fileName, controls }: LogViewProps) {
  const [tail, setTail] = useState<number | "all">(500);
  const [since, setSince] = useState("");
  // One service or one container: its lines come in order, nothing needs holding to interleave.
  const stream = useLogStream({ source, tail, since, several: source.kind === "stack" && knownServices.length !== 1 });
  const { buffer } = stream;
  const listRef = useRef<LogListHandle>(null);
  const [follow, setFollow] = useState(true);
  const [paused, setPaused] = useState<{ count: number; dropped: number } | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [currentSeq, setCurrentSeq] = useState(-1);
  const [timestamps, setTimestamps] = useState(true);
  const searchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Read on every frame's render: the buffer learns services as lines come.
  const services = [...new Set([...knownServices, ...buffer.services])].sort();
  const shown = paused ? Math.max(0, Math.min(buffer.length, paused.count - (buffer.droppedTotal - paused.dropped))) : buffer.length;
  const pending = buffer.length - shown;
  const matchCount = buffer.matchCount;
  const matchNumber = currentSeq >= 0 && matchCount > 0 ? buffer.nearestMatch(currentSeq, true) : -1;

  const toggleService = (service: string): void => {
    const next = new Set(hidden);
    if (next.has(service)) next.delete(service);
    else next.add(service);
    buffer.setHidden(next);
    setHidden(next);
    setPaused(null);
  };

  const applySearch = (value: string): void => {
    setSearch(value);
    if (searchTimer.current) clearTimeout(searchTimer.current);
    // Scans up to the whole buffer: wait for a pause in typing.
    searchTimer.current = setTimeout(() => {
      const lower = value.toLowerCase();
      buffer.setQuery(lower);
      setQuery(lower);
      setCurrentSeq(-1);
    }, 150);
  };

  const jump = (forward: boolean): void => {
    if (buffer.matchCount === 0) return;
    const from = currentSeq < 0 ? (forward ? buffer.seqAt(0) : Number.MAX_SAFE_INTEGER) : currentSeq + (forward ? 1 : -1);
    const seq = buffer.matchSeq(buffer.nearestMatch(from, forward));
    const index = buffer.indexOfSeq(seq);
    if (seq < 0 || index < 0) return;
    setFollow(false);
    setCurrentSeq(seq);
    listRef.current?.scrollToIndex(index);
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === "Enter") {
      event.preventDefault();
      jump(!event.shiftKey);
    }
    if (event.key === "Escape" && search) {
      event.preventDefault();
      applySearch("");
    }
  };

  const togglePause = (): void => setPaused(paused ? null : { count: buffer.length, dropped: buffer.droppedTotal });

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-end gap-3">
        {controls}
        <label className="grid gap-1.5 text-sm font-medium">
          Tail (per container)
          <NativeSelect
            value={String(tail)}
            onChange={(event) => setTail(event.target.value === "all" ? "all" : Number(event.target.value))}
            className="h-8 w-32"
          >
            {TAILS.map((value) => (
              <option key={value} value={String(value)}>
                {value === "all" ? "All lines" : `${numberFormat.format(value)} lines`}
              </option>
            ))}
          </NativeSelect>
        </label>
        <label className="grid gap-1.5 text-sm font-medium">
          Since
          <NativeSelect value={since} onChange={(event) => setSince(event.target.value)} className="h-8 w-40">
            {SINCES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </NativeSelect>
        </label>
        <div className="flex h-8 items-center gap-2" role="status">
          <StreamBadge state={stream.state} onReconnect={stream.reconnect} />
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label="Services shown" className="flex flex-wrap items-center gap-1.5">
          {services.map((service) => {
            const on = !hidden.has(service);
            return (
              <button
                key={service}
                type="button"
                aria-pressed={on}
                onClick={() => toggleService(service)}
                className={cn(
                  "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 font-mono text-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  on ? "bg-card" : "bg-transparent text-muted-foreground line-through opacity-60",
                )}
              >
                <span aria-hidden className={cn("text-base leading-none", serviceColor(service, services))}>
                  ●
                </span>
                {service}
              </button>
            );
          })}
          {hidden.size > 0 ? (
            <Button
              size="sm"
              variant="ghost"
              className="h-7"
              onClick={() => {
                buffer.setHidden(new Set());
                setHidden(new Set());
              }}
            >
              Show all
            </Button>
          ) : null}
        </div>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <label className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={timestamps} onChange={(event) => setTimestamps(event.target.checked)} className="size-4 accent-primary" />
            Timestamps
          </label>
          <Button size="sm" variant={follow ? "secondary" : "outline"} aria-pressed={follow} onClick={() => setFollow(!follow)} title="Keep the newest line in view">
            <ArrowDownIcon aria-hidden />
            Follow
          </Button>
          <Button size="sm" variant={paused ? "secondary" : "outline"} aria-pressed={Boolean(paused)} onClick={togglePause}>
            {paused ? <PlayIcon aria-hidden /> : <PauseIcon aria-hidden />}
            {paused ? "Resume" : "Pause"}
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => download(buffer.toText(), `${fileName}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`)}
            disabled={buffer.length === 0}
          >
            <DownloadIcon aria-hidden />
            Download .log
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              stream.clear();
              setPaused(null);
              setCurrentSeq(-1);
            }}
            aria-label="Clear the view"
            title="Clear the view"
          >
            <EraserIcon aria-hidden />
          </Button>
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-2">
        <div className="relative w-full max-w-sm">
          <SearchIcon aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            aria-label="Search the logs"
            placeholder="Search… (Enter: next, Shift+Enter: previous)"
            value={search}
            onChange={(event) => applySearch(event.target.value)}
            onKeyDown={onSearchKey}
            className="h-8 pl-8"
          />
        </div>
        <span className="text-xs text-muted-foreground tabular-nums" aria-live="polite">
          {query
            ? matchCount === 0
              ? "No matches"
              : matchNumber >= 0
                ? `${numberFormat.format(matchNumber + 1)} of ${numberFormat.format(matchCount)}`
                : `${numberFormat.format(matchCount)} match${matchCount === 1 ? "" : "es"}`
            : null}
        </span>
        <Button size="icon-sm" variant="outline" aria-label="Previous match" onClick={() => jump(false)} disabled={matchCount === 0}>
          <ChevronUpIcon aria-hidden />
        </Button>
        <Button size="icon-sm" variant="outline" aria-label="Next match" onClick={() => jump(true)} disabled={matchCount === 0}>
          <ChevronDownIcon aria-hidden />
        </Button>
      </div>

      <div className="relative">
        <LogList
          ref={listRef}
          buffer={buffer}
          count={shown}
          services={services}
          prefix={prefix}
          query={query}
          currentSeq={currentSeq}
          follow={follow}
          dropped={buffer.droppedTotal}
          showTimestamps={timestamps}
          onFollowChange={setFollow}
          label={label}
        />
        {shown === 0 ? (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-sm text-zinc-400">
            {stream.state.kind === "connecting" ? "Connecting to the host…" : hidden.size > 0 && buffer.received > 0 ? "No lines of the services shown." : "No log lines yet."}
          </p>
        ) : null}
        {pending > 0 ? (
          <Button size="sm" onClick={() => setPaused(null)} className="absolute bottom-3 left-1/2 -translate-x-1/2 shadow-lg">
            <PlayIcon aria-hidden />
            {numberFormat.format(pending)} new line{pending === 1 ? "" : "s"}: resume
          </Button>
        ) : null}
      </div>
      <p className="text-xs text-muted-foreground tabular-nums">
        {numberFormat.format(buffer.received)} lines received · {numberFormat.format(shown)} shown · the browser keeps the last{" "}
        {numberFormat.format(LOG_CAPACITY)}; download or narrow with tail and since for older ones.
      </p>
    </div>
  );
}
