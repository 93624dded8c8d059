"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useImperativeHandle, useLayoutEffect, useRef } from "react";

import type { LogBuffer, LogLine } from "~/lib/log-buffer";
import { serviceColorOnDark } from "~/lib/service-colors";
import { cn } from "~/lib/utils";

/** Fixed row height: measuring a million rows is what makes other log views freeze. */
export const LOG_ROW_HEIGHT = 20;

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
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LOG_ROW_HEIGHT,
    overscan: 30,
  });

  useImperativeHandle(ref, () => ({
    scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: "center" }),
  }));

  // Before paint: stick to the bottom when following, or keep the same lines in view when old ones were dropped.
  useLayoutEffect(() => {
    const box = scrollRef.current;
    const delta = dropped - seenDropped.current;
    seenDropped.current = dropped;
    if (!box) return;
    if (follow) box.scrollTop = box.scrollHeight;
    else if (delta > 0) box.scrollTop = Math.max(0, box.scrollTop - delta * LOG_ROW_HEIGHT);
    else return;
    ownTop.current = box.scrollTop;
  }, [count, follow, dropped]);

  const prefixWidth = Math.min(32, Math.max(8, ...services.map((service) => service.length + 3)));

  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={(event) => {
        const box = event.currentTarget;
        if (Math.abs(box.scrollTop - ownTop.current) < 1) return;
        const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < LOG_ROW_HEIGHT * 2;
        // Scrolling up to read stops following; scrolling back to the end resumes it, as in a terminal.
        if (atBottom !== follow) onFollowChange(atBottom);
      }}
      className="relative h-[34rem] overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 font-mono text-xs text-zinc-100 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 [overflow-anchor:none]"
    >
      <div style={{ height: virtualizer.getTotalSize() }} className="relative min-w-full">
        {virtualizer.getVirtualItems().map((item) => {
          const seq = buffer.seqAt(item.index);
          const line = buffer.bySeq(seq);
          if (!line) return null;
          return (
            <div
              key={item.key}
              data-seq={seq}
              style={{ height: LOG_ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              className={cn("absolute top-0 left-0 flex w-max min-w-full items-center gap-3 px-3 whitespace-pre", seq === currentSeq && "bg-amber-400/15")}
            >
              {showTimestamps ? <span className="shrink-0 text-zinc-500 select-none">{clock(line.at)}</span> : null}
              <span className={cn("shrink-0 truncate", serviceColorOnDark(line.service, services))} style={{ width: `${prefixWidth}ch` }}>
                {prefix(line)}
              </span>
              <span className={cn(line.stream === "stderr" && "text-red-300")}>{highlight(line.line, query, seq === currentSeq)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
