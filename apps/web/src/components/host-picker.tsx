"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";

import { HostStatusBadge } from "~/components/host-status-badge";
import { Skeleton } from "~/components/ui/skeleton";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

/** The team's hosts as a checkbox list: a multi-select that needs no popover to be usable by keyboard. */
export function HostPicker({
  value,
  onChange,
  legend = "Target hosts",
  hint,
  error,
}: {
  value: readonly string[];
  onChange: (hostIds: string[]) => void;
  legend?: string;
  hint?: string;
  error?: string | undefined;
}) {
  const trpc = useTRPC();
  const id = useId();
  const hosts = useQuery(trpc.host.list.queryOptions());
  const toggle = (hostId: string, checked: boolean): void => {
    onChange(checked ? [...value, hostId] : value.filter((idOf) => idOf !== hostId));
  };
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;

  return (
    <fieldset className="grid gap-2" aria-describedby={describedBy} aria-invalid={Boolean(error)}>
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      {hosts.isPending ? (
        <div className="grid gap-2" aria-busy="true">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </div>
      ) : hosts.error ? (
        <p className="text-sm text-destructive">The hosts could not be listed: {errorMessage(hosts.error)}</p>
      ) : hosts.data.length === 0 ? (
        <p className="rounded-lg border border-dashed p-3 text-sm text-muted-foreground">No hosts in this team yet: add one first, or target hosts later.</p>
      ) : (
        <ul className="grid max-h-56 gap-1.5 overflow-y-auto">
          {hosts.data.map((host) => (
            <li key={host.id}>
              <label
                htmlFor={`${id}-${host.id}`}
                className="flex cursor-pointer items-center gap-3 rounded-lg border p-2.5 text-sm transition-colors hover:bg-accent/60 has-checked:border-primary has-checked:bg-accent/60"
              >
                <input
                  id={`${id}-${host.id}`}
                  type="checkbox"
                  checked={value.includes(host.id)}
                  onChange={(event) => toggle(host.id, event.target.checked)}
                  className="size-4 accent-primary"
                />
                <span className="min-w-0 flex-1 truncate font-medium">{host.name}</span>
                <span className="truncate font-mono text-xs text-muted-foreground">{host.address}</span>
                <HostStatusBadge status={host.status} />
              </label>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </fieldset>
  );
}
