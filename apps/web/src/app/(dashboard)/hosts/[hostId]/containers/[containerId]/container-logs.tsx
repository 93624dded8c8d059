"use client";

import { LogView } from "~/components/log-view";

import type { ContainerDetail } from "./container-overview";

export function ContainerLogs({ hostId, container }: { hostId: string; container: ContainerDetail }) {
  const service = container.compose?.service ?? container.name;
  return (
    <LogView
      source={{ kind: "container", hostId, containerId: container.id }}
      knownServices={[service]}
      prefix={() => container.name}
      label={`Logs of ${container.name}`}
      fileName={container.name}
    />
  );
}
