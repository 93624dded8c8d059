"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertCircleIcon } from "lucide-react";

import { ContainerStateBadge } from "~/components/container-state-badge";
import { useCan } from "~/components/me-context";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "~/components/ui/tabs";
import { errorCode, errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import { HostBackLink } from "../../host-back-link";
import { LiveResources } from "../../resources/live-resources";
import { ContainerActions } from "../container-actions";
import { ContainerLogs } from "./container-logs";
import { ContainerOverview } from "./container-overview";
import { ContainerTerminal } from "./container-terminal";

export function ContainerView({ hostId, containerId }: { hostId: string; containerId: string }) {
  const trpc = useTRPC();
  const canAct = useCan("host:write");
  const canOpenTerminal = useCan("terminal:open");
  const query = useQuery(trpc.container.byId.queryOptions({ hostId, containerId }, { refetchInterval: 5_000, retry: (count, error) => errorCode(error) !== "NOT_FOUND" && count < 2 }));
  const container = query.data;
  const back = <HostBackLink hostId={hostId} />;

  if (!container) {
    return (
      <div className="grid gap-4">
        {back}
        <Alert variant={query.error ? "destructive" : "default"}>
          <AlertCircleIcon aria-hidden />
          <AlertTitle>{errorCode(query.error) === "NOT_FOUND" ? "This container no longer exists" : "The container could not be loaded"}</AlertTitle>
          <AlertDescription>{query.error ? errorMessage(query.error) : "Loading…"}</AlertDescription>
        </Alert>
      </div>
    );
  }

  return (
    <div className="grid gap-6">
      <div className="grid gap-4">
        {back}
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="grid gap-1">
            <div className="flex items-center gap-3">
              <h1 className="text-2xl font-semibold tracking-tight">{container.name}</h1>
              <ContainerStateBadge state={container.state.status} />
              {container.health ? <span className="text-sm text-muted-foreground">health: {container.health.status}</span> : null}
            </div>
            <p className="font-mono text-xs text-muted-foreground">{container.image}</p>
          </div>
          {canAct ? <ContainerActions hostId={hostId} targets={[{ id: container.id, name: container.name, state: container.state.status }]} /> : null}
        </div>
      </div>
      <Tabs defaultValue="overview" className="min-w-0">
        <TabsList>
          <TabsTrigger value="overview">Overview</TabsTrigger>
          <TabsTrigger value="logs">Logs</TabsTrigger>
          <TabsTrigger value="resources">Resources</TabsTrigger>
          {canOpenTerminal ? <TabsTrigger value="terminal">Terminal</TabsTrigger> : null}
        </TabsList>
        <TabsContent value="overview">
          <ContainerOverview hostId={hostId} container={container} canReveal={canAct} />
        </TabsContent>
        <TabsContent value="logs">
          <ContainerLogs hostId={hostId} container={container} />
        </TabsContent>
        <TabsContent value="resources">
          <LiveResources hostId={hostId} containerId={container.id} />
        </TabsContent>
        {canOpenTerminal ? (
          <TabsContent value="terminal">
            <ContainerTerminal hostId={hostId} containerId={container.id} running={container.state.running && !container.state.paused} />
          </TabsContent>
        ) : null}
      </Tabs>
    </div>
  );
}
