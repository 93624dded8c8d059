import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { HostView } from "./host-view";

type Params = Promise<{ hostId: string }>;

async function loadHost(hostId: string) {
  try {
    return await getQueryClient().fetchQuery(trpc.host.byId.queryOptions({ hostId }));
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const host = await loadHost((await params).hostId);
  return { title: host.name };
}

export default async function HostPage({ params }: { params: Params }) {
  const { hostId } = await params;
  await loadHost(hostId);
  return (
    <HydrateClient>
      <HostView hostId={hostId} />
    </HydrateClient>
  );
}
