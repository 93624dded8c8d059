"use client";

import { type ReactNode, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from "react";

import type { LogBuffer, LogLine } from "~/lib/log-buffer";
import { serviceColorOnDark } from "~/lib/service-colors";
import { cn } from "~/lib/utils";

/** Fixed row height: measuring a million rows is what makes other log views freeze. */
export const LOG_ROW_HEIGHT = 20;
/** Rows rendered beyond each edge of the viewport, so fast scrolling does not show blanks. */
const OVERSCAN = 40;
/**
 * Following, the view moves only by lines arriving: a few rows suffice, and every
 * row rendered is laid out again on each frame of a burst (its text changes).
 */
const FOLLOW_OVERSCAN = 4;

export interface LogListHandle {
  scrollToIndex: (index: number) => void;
}

/** The query's occurrences in `text`, marked; case-insensitive. */
function highlight(text: string, query: string, current: boolean): ReactNode {
  if (!query) return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  let at = lower.indexOf(query);
  while (at !== -1) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(
      <mark key={at} className={cn("rounded-[2px] text-zinc-950", current ? "bg-amber-400" : "bg-yellow-200/80")}>
        {text.slice(at, at + query.length)}
      </mark>,
    );
    from = at + query.length;
    at = lower.indexOf(query, from);
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** "2024-05-01T10:00:00.123456789Z" → "10:00:00.123" without parsing a Date per row. */
const clock = (at: string): string => at.slice(11, 23);

/**
 * Log lines as a virtualized list over a LogBuffer: only the rows in view
 * exist in the DOM, so a full buffer scrolls like an empty one.
 */
export function LogList({
  buffer,
  count,
  services,
  prefix,
  query,
  currentSeq,
  follow,
  dropped,
  showTimestamps,
  onFollowChange,
  label,
  ref,
}: {
  buffer: LogBuffer;
  /** Rows to show: the buffer's length, or less while paused. */
  count: number;
  services: readonly string[];
  /** How a line's source reads, e.g. the container name without the project. */
  prefix: (line: LogLine) => string;
  query: string;
  /** The seq of the search match to mark as current. */
  currentSeq: number;
  follow: boolean;
  /** The buffer's droppedTotal: rows dropped from the top are kept in place by scrolling up as much. */
  dropped: number;
  showTimestamps: boolean;
  onFollowChange: (follow: boolean) => void;
  label: string;
  ref?: React.Ref<LogListHandle>;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Where this component last scrolled to: scroll events landing there are its own, not the user's.
  const ownTop = useRef(-1);
  const seenDropped = useRef(dropped);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(544);

  useEffect(() => {
    const box = scrollRef.current;
    if (!box) return;
    const observer = new ResizeObserver(() => setHeight(box.clientHeight));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  useImperativeHandle(ref, () => ({
    scrollToIndex: (index) => {
      const box = scrollRef.current;
      if (box) box.scrollTop = Math.max(0, index * LOG_ROW_HEIGHT - box.clientHeight / 2);
    },
  }));

  // Before paint: stick to the bottom when following, or keep the same lines in view when old ones were dropped.
  useLayoutEffect(() => {
    const box = scrollRef.current;
    const delta = dropped - seenDropped.current;
    seenDropped.current = dropped;
    if (!box) return;
    // Written without reading scrollHeight first: the browser clamps it to the end, with one reflow instead of two.
    if (follow) box.scrollTop = count * LOG_ROW_HEIGHT;
    else if (delta > 0) box.scrollTop = Math.max(0, box.scrollTop - delta * LOG_ROW_HEIGHT);
    else return;
    ownTop.current = box.scrollTop;
  }, [count, follow, dropped]);

  const prefixWidth = Math.min(32, Math.max(8, ...services.map((service) => service.length + 3)));
  // Fixed-height windowing: which rows are in view is arithmetic, O(1) however many lines there are
  // (a measuring virtualizer walks every row whenever the count changes, i.e. on every frame here).
  // Following, the last rows are in view whatever the scroll position still says.
  const visible = Math.ceil(height / LOG_ROW_HEIGHT);
  const overscan = follow ? FOLLOW_OVERSCAN : OVERSCAN;
  const first = follow ? Math.max(0, count - visible - overscan) : Math.min(Math.max(0, Math.floor(scrollTop / LOG_ROW_HEIGHT) - OVERSCAN), Math.max(0, count - 1));
  const last = Math.min(count, first + visible + 2 * overscan);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const seq = buffer.seqAt(index);
    const line = buffer.bySeq(seq);
    if (!line) continue;
    rows.push(
      <div
        // Keyed by position: following, each row slot just takes the text of the line now there.
        key={index % (visible + 2 * OVERSCAN + 1)}
        data-seq={seq}
        style={{ height: LOG_ROW_HEIGHT, transform: `translateY(${index * LOG_ROW_HEIGHT}px)` }}
        className={cn("absolute top-0 left-0 flex w-max min-w-full items-center gap-3 px-3 whitespace-pre", seq === currentSeq && "bg-amber-400/15")}
      >
        {showTimestamps ? <span className="shrink-0 text-zinc-400 select-none">{clock(line.at)}</span> : null}
        <span className={cn("shrink-0 truncate", serviceColorOnDark(line.service, services))} style={{ width: `${prefixWidth}ch` }}>
          {prefix(line)}
        </span>
        <span className={cn(line.stream === "stderr" && "text-red-300")}>{highlight(line.line, query, seq === currentSeq)}</span>
      </div>,
    );
  }

  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={(event) => {
        const box = event.currentTarget;
        setScrollTop(box.scrollTop);
        if (Math.abs(box.scrollTop - ownTop.current) < 1) return;
        const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < LOG_ROW_HEIGHT * 2;
        // Scrolling up to read stops following; scrolling back to the end resumes it, as in a terminal.
        if (atBottom !== follow) onFollowChange(atBottom);
      }}
      // Strict containment: the rows' layout never reaches the page, so the per-frame reflow stays small.
      className="relative h-[34rem] overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 font-mono text-xs text-zinc-100 outline-none [contain:strict] focus-visible:ring-[3px] focus-visible:ring-ring/50 [overflow-anchor:none]"
    >
      <div style={{ height: count * LOG_ROW_HEIGHT }} className="relative min-w-full [contain:layout_style]">
        {rows}
      </div>
    </div>
  );
}
