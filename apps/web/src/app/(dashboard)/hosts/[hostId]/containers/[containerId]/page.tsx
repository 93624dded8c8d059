import type { Metadata } from "next";

import { ContainerView } from "./container-view";

type Params = Promise<{ hostId: string; containerId: string }>;

export const metadata: Metadata = { title: "Container" };

export default async function ContainerPage({ params }: { params: Params }) {
  const { hostId, containerId } = await params;
  return <ContainerView hostId={hostId} containerId={containerId} />;
}
