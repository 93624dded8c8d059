"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowUpCircleIcon, BotIcon, RefreshCwIcon, ScrollTextIcon } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";

import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { errorMessage } from "~/lib/errors";
import { cn } from "~/lib/utils";
import { useTRPC } from "~/trpc/react";

const LOG_LINES = 200;

/** What the card needs of the host. */
export interface AgentHost {
  id: string;
  name: string;
  agent: { installed: string | null; shipped: string; current: boolean; upgradedAt: Date | null };
}

function AgentLog({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.host.agentLog.queryOptions({ hostId, lines: LOG_LINES }, { retry: false }));
  const logRef = useRef<HTMLPreElement>(null);
  // The newest lines are the ones that matter: start at the end, as tail does.
  useEffect(() => {
    if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
  }, [log.data]);
  return (
    <div className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <p className="text-xs text-muted-foreground">
          {log.data ? (
            <>
              Last {LOG_LINES} lines of <span className="font-mono">{log.data.path}</span>
            </>
          ) : (
            "Reading the agent's log over SSH…"
          )}
        </p>
        <Button variant="ghost" size="sm" onClick={() => void log.refetch()} disabled={log.isFetching}>
          <RefreshCwIcon aria-hidden className={cn(log.isFetching && "animate-spin")} />
          Reload
        </Button>
      </div>
      {log.error ? <p className="text-sm text-destructive">{errorMessage(log.error)}</p> : null}
      {log.data?.missing ? <p className="text-sm text-muted-foreground">The agent has written no log on this host yet.</p> : null}
      {log.data && !log.data.missing ? (
        <pre
          ref={logRef}
          tabIndex={0}
          aria-label="Agent log"
          className="max-h-80 overflow-auto rounded-lg border bg-muted/40 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {log.data.lines.join("\n")}
        </pre>
      ) : null}
    </div>
  );
}

/** The agent's version against the one this Wharf ships, its last upgrade, an upgrade on demand, and its own log. */
export function HostAgent({ host }: { host: AgentHost }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("host:write");
  const [showLog, setShowLog] = useState(false);
  const upgrade = useMutation(
    trpc.host.reinstallAgent.mutationOptions({
      onSuccess: ({ agentVersion }) => toast.success(`Agent ${agentVersion} installed on ${host.name}`),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void queryClient.invalidateQueries(trpc.host.pathFilter()),
    }),
  );
  const { installed, shipped, current, upgradedAt } = host.agent;

  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle className="flex items-center gap-2 text-sm">
          <BotIcon aria-hidden className="size-4 text-muted-foreground" />
          Agent
        </CardTitle>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" size="sm" onClick={() => setShowLog((shown) => !shown)} aria-expanded={showLog}>
            <ScrollTextIcon aria-hidden />
            {showLog ? "Hide log" : "Show log"}
          </Button>
          {canWrite ? (
            <Button variant={current ? "outline" : "default"} size="sm" onClick={() => upgrade.mutate({ hostId: host.id })} disabled={upgrade.isPending}>
              {upgrade.isPending ? <Spinner /> : <ArrowUpCircleIcon aria-hidden />}
              {upgrade.isPending ? "Installing…" : current ? "Reinstall" : "Upgrade now"}
            </Button>
          ) : null}
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">
        <dl className="grid gap-3 text-sm sm:grid-cols-3">
          <div className="grid gap-0.5">
            <dt className="text-xs text-muted-foreground">Installed</dt>
            <dd className="flex items-center gap-2">
              <span className="font-mono text-xs">{installed ?? "not installed"}</span>
              {installed ? <Badge variant={current ? "success" : "warning"}>{current ? "Up to date" : "Outdated"}</Badge> : null}
            </dd>
          </div>
          <div className="grid gap-0.5">
            <dt className="text-xs text-muted-foreground">Shipped with this Wharf</dt>
            <dd className="font-mono text-xs">{shipped}</dd>
          </div>
          <div className="grid gap-0.5">
            <dt className="text-xs text-muted-foreground">Last installed or upgraded</dt>
            <dd>
              <RelativeTime value={upgradedAt} fallback="not recorded" />
            </dd>
          </div>
        </dl>
        {showLog ? <AgentLog hostId={host.id} /> : null}
      </CardContent>
    </Card>
  );
}
