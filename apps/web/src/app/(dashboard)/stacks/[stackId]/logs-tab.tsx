"use client";

import { checkStackFiles } from "@wharf/api/lib/compose-files";
import { ServerIcon } from "lucide-react";
import { useMemo, useState } from "react";

import { EmptyState } from "~/components/empty-state";
import { LogView } from "~/components/log-view";
import type { LogLine } from "~/lib/log-buffer";

import type { StackDetail } from "./stack-draft";
import { TargetHostSelect } from "./target-host-select";

function HostLogs({ stack, hostId, onHostChange }: { stack: StackDetail; hostId: string; onHostChange: (hostId: string) => void }) {
  const host = stack.targets.find((target) => target.host.id === hostId)?.host;
  const fileServices = useMemo(() => (stack.latestRevision ? checkStackFiles(stack.latestRevision.files).services : []), [stack.latestRevision]);
  const projectPrefix = new RegExp(`^${stack.name}[-_]`);
  return (
    <LogView
      source={{ kind: "stack", stackId: stack.id, hostId }}
      knownServices={fileServices}
      prefix={(line: LogLine) => line.container.replace(projectPrefix, "")}
      label={`Logs of ${stack.name} on ${host?.name ?? "the host"}`}
      fileName={`${stack.name}-${host?.name ?? "host"}`}
      controls={
        stack.targets.length > 1 ? (
          <label className="grid gap-1.5 text-sm font-medium">
            Host
            <TargetHostSelect targets={stack.targets} value={hostId} onValueChange={onHostChange} className="h-8 w-40" />
          </label>
        ) : null
      }
    />
  );
}

export function LogsTab({ stack }: { stack: StackDetail }) {
  const [hostId, setHostId] = useState(stack.targets[0]?.host.id ?? "");
  const target = stack.targets.find((t) => t.host.id === hostId) ?? stack.targets[0];
  if (!target) {
    return <EmptyState icon={ServerIcon} title="No target host yet" description="Logs stream from the stack's containers on its hosts." />;
  }
  // One stream (and buffer) per host: switching hosts starts afresh.
  return <HostLogs key={target.host.id} stack={stack} hostId={target.host.id} onHostChange={setHostId} />;
}
