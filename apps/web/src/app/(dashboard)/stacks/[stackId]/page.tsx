import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { StackView } from "./stack-view";

type Params = Promise<{ stackId: string }>;

async function loadStack(stackId: string) {
  try {
    return await getQueryClient().fetchQuery(
      trpc.stack.byId.queryOptions({ stackId }),
    );
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export async function generateMetadata({
  params,
}: {
  params: Params;
}): Promise<Metadata> {
  const stack = await loadStack((await params).stackId);
  return { title: stack.name };
}

export default async function StackPage({ params }: { params: Params }) {
  const { stackId } = await params;
  await loadStack(stackId);
  return (
    <HydrateClient>
      <StackView stackId={stackId} />
    </HydrateClient>
  );
}
