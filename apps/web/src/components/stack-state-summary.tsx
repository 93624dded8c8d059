import Link from "next/link";

import { cn } from "~/lib/utils";

import { type HostStack, StackStateBadge, STATE_ORDER, stateStyle } from "./stack-state-badge";

/** States a reader must act on: named even in a summary. */
const NEEDS_ATTENTION: HostStack["state"][] = ["FAILED", "PARTIAL", "DEPLOYING"];
/** Up to this many, every badge shows; past it, counts by state and the ones needing attention. */
const ALL_BADGES_UP_TO = 4;
const NAMED_AT_MOST = 3;

/**
 * One table cell's worth of stack states, whatever their number: a few are
 * shown as badges; many become counts by state, the failing ones named, and
 * a link to the page listing all of them. An item is `stale` when its state is
 * only the last known (its host cannot be reached).
 */
export interface SummaryItem {
  key: string;
  stack: HostStack;
  stale: boolean;
}

export function StackStateSummary({ items, allHref, allLabel }: { items: SummaryItem[]; allHref: string; allLabel: string }) {
  const allStale = items.every((item) => item.stale);
  // Grey, not faded: each badge also says "(last known)", and text keeps its contrast.
  const staleClass = cn(allStale && "grayscale");
  const staleTitle = allStale ? "Last known: the host cannot be reached now" : undefined;
  if (items.length <= ALL_BADGES_UP_TO) {
    return (
      <ul className={cn("flex max-w-80 flex-wrap gap-1.5", staleClass)} title={staleTitle}>
        {items.map((item) => (
          <li key={item.key}>
            <StackStateBadge stack={item.stack} stale={item.stale} />
          </li>
        ))}
      </ul>
    );
  }
  const counts = STATE_ORDER.map((state) => ({ state, count: items.filter((item) => item.stack.state === state).length })).filter((entry) => entry.count > 0);
  const attention = items.filter((item) => NEEDS_ATTENTION.includes(item.stack.state));
  const named = attention.slice(0, NAMED_AT_MOST);
  return (
    <div className={cn("grid max-w-80 gap-1.5", staleClass)} title={staleTitle}>
      <ul aria-label={`${items.length} in all`} className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
        {counts.map(({ state, count }) => (
          <li key={state} className="flex items-center gap-1.5 whitespace-nowrap">
            <span aria-hidden className={cn("size-1.5 rounded-full", stateStyle(state).dot)} />
            <span className="font-semibold tabular-nums">{count}</span>
            <span className="text-muted-foreground">{stateStyle(state).label}</span>
          </li>
        ))}
      </ul>
      {named.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5">
          {named.map((item) => (
            <li key={item.key}>
              <StackStateBadge stack={item.stack} stale={item.stale} />
            </li>
          ))}
        </ul>
      ) : null}
      <Link
        href={allHref}
        className="w-fit rounded-sm text-xs text-muted-foreground underline underline-offset-4 outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {attention.length > named.length ? `${attention.length - named.length} more need attention · ` : ""}
        {allLabel}
      </Link>
    </div>
  );
}
