import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { GuardrailsView } from "./guardrails-view";

export const metadata: Metadata = { title: "Guardrails" };

export default async function GuardrailsPage() {
  await getQueryClient().prefetchQuery(trpc.environment.list.queryOptions());
  return (
    <HydrateClient>
      <GuardrailsView />
    </HydrateClient>
  );
}
