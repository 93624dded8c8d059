"use client";

import { useEffect, useState } from "react";

import { Tooltip, TooltipContent, TooltipTrigger } from "~/components/ui/tooltip";
import { formatExact, formatRelative, toDate } from "~/lib/format";

/** "3 minutes ago", kept current, with the exact time in a tooltip (focusable for keyboard users). */
export function RelativeTime({ value, fallback = "never" }: { value: Date | string | null | undefined; fallback?: string }) {
  const date = toDate(value);
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!date) return <span className="text-muted-foreground">{fallback}</span>;
  const exact = formatExact(date);
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <time
          dateTime={date.toISOString()}
          tabIndex={0}
          aria-label={`${formatRelative(date)} (${exact})`}
          className="rounded-sm whitespace-nowrap underline decoration-muted-foreground/40 decoration-dotted underline-offset-4 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          // Server and browser clocks differ by the render delay.
          suppressHydrationWarning
        >
          {formatRelative(date)}
        </time>
      </TooltipTrigger>
      <TooltipContent>{exact}</TooltipContent>
    </Tooltip>
  );
}
