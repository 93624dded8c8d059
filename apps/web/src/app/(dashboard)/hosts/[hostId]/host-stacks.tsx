"use client";

import { useQuery } from "@tanstack/react-query";
import { LayersIcon } from "lucide-react";

import { StackStateBadge } from "~/components/stack-state-badge";
import { useTRPC } from "~/trpc/react";

/** Every stack targeting this host and its state here: the full list the hosts list summarises. */
export function HostStacks({ hostId, stale }: { hostId: string; stale: boolean }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.stack.list.queryOptions({ hostId }, { refetchInterval: 10_000 }));
  const stacks = (query.data ?? []).flatMap((stack) => {
    const state = stack.targets.find((target) => target.host.id === hostId)?.state;
    return state ? [{ id: stack.id, name: stack.name, ...state }] : [];
  });
  return (
    <section id="stacks" aria-labelledby="host-stacks-title" className="grid scroll-mt-6 gap-3">
      <h2 id="host-stacks-title" className="flex items-center gap-2 text-lg font-semibold">
        <LayersIcon aria-hidden className="size-4 text-muted-foreground" />
        Stacks
        {query.data ? <span className="text-sm font-normal text-muted-foreground">{stacks.length}</span> : null}
      </h2>
      {query.data && stacks.length === 0 ? <p className="text-sm text-muted-foreground">No stack targets this host.</p> : null}
      <ul className="flex flex-wrap gap-1.5">
        {stacks.map((stack) => (
          <li key={stack.id}>
            <StackStateBadge stack={stack} stale={stale} />
          </li>
        ))}
      </ul>
    </section>
  );
}
