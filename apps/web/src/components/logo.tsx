import { cn } from "~/lib/utils";

/** The Wharf mark: stacked piers. Decorative; the word next to it names the product. */
export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", className)}>
      <svg aria-hidden viewBox="0 0 32 32" className="size-6">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path d="M7 11h18M7 16h18M9 21h14" className="stroke-primary-foreground" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      Wharf
    </span>
  );
}
