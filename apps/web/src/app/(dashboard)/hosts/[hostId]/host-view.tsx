"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertCircleIcon, ArrowLeftIcon, ShieldAlertIcon, WifiOffIcon } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { CopyButton } from "~/components/copy-button";
import { HostStatusBadge } from "~/components/host-status-badge";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Separator } from "~/components/ui/separator";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { HostActions } from "./host-actions";
import { HostAgent } from "./host-agent";
import { HostEnvironment } from "./host-environment";
import { HostFacts } from "./host-facts";
import { HostKeyHistory, HostKeyMismatch } from "./host-key-panel";
import { HostResources } from "./host-resources";
import { HostStacks } from "./host-stacks";

export type HostDetail = RouterOutputs["host"]["byId"];

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="flex min-w-0 items-center gap-1.5 text-sm">{children}</dd>
    </div>
  );
}

function StatusAlert({ host }: { host: HostDetail }) {
  if (host.status === "ONLINE" || host.status === "PENDING") return null;
  const error = host.status === "ERROR";
  return (
    <Alert variant={error ? "destructive" : "warning"}>
      {error ? <ShieldAlertIcon aria-hidden /> : <WifiOffIcon aria-hidden />}
      <AlertTitle>{error ? "Wharf cannot work with this host" : "This host is offline"}</AlertTitle>
      <AlertDescription className={error ? undefined : "text-foreground/80"}>
        <p>{host.statusMessage ?? "The last status check failed."}</p>
        <p className="text-xs">
          {host.lastSeenAt ? (
            <>
              Last seen <RelativeTime value={host.lastSeenAt} />.{host.facts ? " The facts below are from the last successful check." : null}
            </>
          ) : (
            "Wharf has not reached it yet."
          )}
        </p>
      </AlertDescription>
    </Alert>
  );
}

export function HostView({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.host.byId.queryOptions({ hostId }, { refetchInterval: 5_000 }));
  const host = query.data;
  const canReadStacks = useCan("stack:read");

  if (!host) {
    return (
      <Alert variant="destructive">
        <AlertCircleIcon aria-hidden />
        <AlertTitle>The host could not be loaded</AlertTitle>
        <AlertDescription>{query.error ? errorMessage(query.error) : "Loading…"}</AlertDescription>
      </Alert>
    );
  }

  return (
    <div className="grid gap-6">
      <div className="grid gap-4">
        <Link
          href="/hosts"
          className="flex w-fit items-center gap-1.5 rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          <ArrowLeftIcon aria-hidden className="size-4" />
          Hosts
        </Link>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="flex items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">{host.name}</h1>
            <HostStatusBadge status={host.status} />
          </div>
          <HostActions host={host} />
        </div>
        <dl className="grid gap-x-8 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
          <Meta label="Address">
            <span className="truncate font-mono text-xs">
              {host.username}@{host.address}:{host.port}
            </span>
          </Meta>
          <Meta label={`Pinned host key (${host.hostKeyAlgorithm})`}>
            <span className="truncate font-mono text-xs" title={host.hostKeyFingerprint}>
              {host.hostKeyFingerprint}
            </span>
            <CopyButton value={host.hostKeyFingerprint} label="Copy host key fingerprint" className="size-6" />
          </Meta>
          <Meta label="Agent">
            {host.agentVersion ? (
              <span className="font-mono text-xs">{host.agentVersion}</span>
            ) : (
              <span className="text-muted-foreground">not installed</span>
            )}
          </Meta>
          <Meta label="Environment">
            <HostEnvironment hostId={host.id} environment={host.environment} />
          </Meta>
          <Meta label="Last seen">
            <RelativeTime value={host.lastSeenAt} />
          </Meta>
        </dl>
      </div>
      <Separator />
      {/* A changed key says more than the status message: both keys, and how to accept the new one. */}
      {host.seenKeyFingerprint ? <HostKeyMismatch host={host} /> : <StatusAlert host={host} />}
      <HostFacts facts={host.facts} factsAt={host.factsAt} />
      <HostAgent host={host} />
      {canReadStacks ? <HostStacks hostId={host.id} stale={host.status !== "ONLINE"} /> : null}
      <HostResources hostId={host.id} />
      <HostKeyHistory keys={host.pastHostKeys} />
    </div>
  );
}
