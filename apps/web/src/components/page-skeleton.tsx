import { Skeleton } from "~/components/ui/skeleton";

/** Stand-in for a page with a header and a table while its server component loads. */
export function TablePageSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className="grid gap-6" aria-busy="true" aria-label="Loading">
      <div className="flex items-start justify-between gap-4">
        <div className="grid gap-2">
          <Skeleton className="h-7 w-40" />
          <Skeleton className="h-4 w-72" />
        </div>
        <Skeleton className="h-9 w-28" />
      </div>
      <div className="grid gap-3">
        <Skeleton className="h-8 w-64" />
        <div className="grid gap-px overflow-hidden rounded-lg border">
          <Skeleton className="h-10 rounded-none" />
          {Array.from({ length: rows }, (_, index) => (
            <Skeleton key={index} className="h-12 rounded-none opacity-60" />
          ))}
        </div>
      </div>
    </div>
  );
}
