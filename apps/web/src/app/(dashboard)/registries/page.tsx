import type { Metadata } from "next";

import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

import { RegistriesView } from "./registries-view";

export const metadata: Metadata = { title: "Registries" };

export default async function RegistriesPage() {
  await getQueryClient().prefetchQuery(trpc.registry.list.queryOptions());
  return (
    <HydrateClient>
      <RegistriesView />
    </HydrateClient>
  );
}
