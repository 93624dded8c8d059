"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeftIcon } from "lucide-react";
import Link from "next/link";

import { useTRPC } from "~/trpc/react";

/** The way back from a page under a host (a container, an image) to the host, named after it. */
export function HostBackLink({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const host = useQuery(trpc.host.byId.queryOptions({ hostId }));
  return (
    <Link
      href={`/hosts/${hostId}`}
      className="flex w-fit items-center gap-1.5 rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      <ArrowLeftIcon aria-hidden className="size-4" />
      {host.data?.name ?? "Host"}
    </Link>
  );
}
