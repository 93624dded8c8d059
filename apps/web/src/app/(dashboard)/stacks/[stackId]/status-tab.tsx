"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangleIcon, BoxIcon, CheckCircle2Icon, ServerIcon } from "lucide-react";

import { ContainerStateBadge } from "~/components/container-state-badge";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { Skeleton } from "~/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { formatBytes, shortId } from "~/lib/format";
import { serviceColor } from "~/lib/service-colors";
import { cn } from "~/lib/utils";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

type Status = RouterOutputs["stack"]["status"];
type Container = Status["services"][number]["containers"][number];
type Drift = NonNullable<Status["drift"]>;

// Live CPU and memory: a sample every few seconds while the tab is open.
const STATUS_REFRESH_MS = 5_000;

const HEALTH_VARIANT: Record<string, BadgeVariant> = { healthy: "success", starting: "info", unhealthy: "destructive" };

function formatPort(port: Container["ports"][number]): string {
  const inside = `${port.privatePort}/${port.type}`;
  return port.publicPort === null ? inside : `${port.ip ?? "0.0.0.0"}:${port.publicPort}→${inside}`;
}

/** What differs between the deployed revision and what runs, one sentence each. */
function driftMessages(drift: Drift): string[] {
  return [
    ...drift.missing.map((m) =>
      m.found === 0
        ? `Service ${m.service} has no container (expected ${m.expected}): removed by hand, or it never started.`
        : `Service ${m.service} has ${m.found} of ${m.expected} containers.`,
    ),
    ...drift.notRunning.map((n) => `Container ${n.container} of ${n.service} is ${n.state}, not running.`),
    ...drift.extra.map((e) => `Container ${e.container} runs service ${e.service}, which the deployed revision does not have.`),
    ...drift.imageChanged.map((i) => `Container ${i.container} of ${i.service} runs image ${shortId(i.runningImageId)}, not the deployed ${shortId(i.deployedImageId)}.`),
  ];
}

function Usage({ container }: { container: Container }) {
  if (container.cpuPercent === null || container.memoryUsageBytes === null) return <span className="text-muted-foreground">—</span>;
  const limit = container.memoryLimitBytes ?? 0;
  const share = limit > 0 ? Math.min(100, (container.memoryUsageBytes / limit) * 100) : 0;
  return (
    <div className="grid min-w-36 gap-1">
      <span className="text-xs tabular-nums">
        {container.cpuPercent.toFixed(1)}% CPU · {formatBytes(container.memoryUsageBytes)}
        {limit > 0 ? <span className="text-muted-foreground"> / {formatBytes(limit)}</span> : null}
      </span>
      <span aria-hidden className="h-1 overflow-hidden rounded-full bg-muted">
        <span className={cn("block h-full rounded-full", share > 90 ? "bg-destructive" : "bg-info")} style={{ width: `${share}%` }} />
      </span>
    </div>
  );
}

function HostStatus({ stack, target }: { stack: StackDetail; target: StackDetail["targets"][number] }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.stack.status.queryOptions({ stackId: stack.id, hostId: target.host.id }, { refetchInterval: STATUS_REFRESH_MS }));
  const status = query.data;
  const services = status?.services.map((s) => s.service) ?? [];
  const drift = status?.drift ? driftMessages(status.drift) : [];

  return (
    <section aria-labelledby={`status-${target.host.id}`} className="grid gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={`status-${target.host.id}`} className="flex items-center gap-2 font-semibold">
          <ServerIcon aria-hidden className="size-4 text-muted-foreground" />
          {target.host.name}
        </h3>
        <p className="text-xs text-muted-foreground">
          {status?.deployed ? (
            <>
              Revision #{status.deployed.revisionNumber} deployed <RelativeTime value={status.deployed.at} />
            </>
          ) : status ? (
            "Not deployed by Wharf"
          ) : null}
          {query.isFetching ? " · refreshing…" : null}
        </p>
      </div>
      <ErrorAlert error={query.error} title={`The status of ${target.host.name} could not be read`} />
      {drift.length > 0 ? (
        <Alert variant="warning">
          <AlertTriangleIcon aria-hidden />
          <AlertTitle>What runs differs from revision #{status?.deployed?.revisionNumber}</AlertTitle>
          <AlertDescription className="text-foreground/80">
            <ul className="list-disc pl-4">
              {drift.map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
            <p>Redeploy to bring it back in line.</p>
          </AlertDescription>
        </Alert>
      ) : status?.drift?.inSync ? (
        <p className="flex items-center gap-1.5 text-sm text-success">
          <CheckCircle2Icon aria-hidden className="size-4" />
          In sync with the deployed revision
        </p>
      ) : null}
      {query.isPending ? (
        <div className="grid gap-px overflow-hidden rounded-lg border" aria-busy="true" aria-label="Loading the status">
          <Skeleton className="h-10 rounded-none" />
          <Skeleton className="h-12 rounded-none opacity-60" />
          <Skeleton className="h-12 rounded-none opacity-60" />
        </div>
      ) : status && status.services.length === 0 ? (
        <EmptyState icon={BoxIcon} title={`No containers of ${stack.name} on ${target.host.name}`} description="Deploy the stack to start them." />
      ) : status ? (
        <div className="rounded-lg border bg-card">
          <Table aria-label={`Containers of ${stack.name} on ${target.host.name}`}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Service</TableHead>
                <TableHead>Container</TableHead>
                <TableHead>State</TableHead>
                <TableHead>Health</TableHead>
                <TableHead className="text-right">Restarts</TableHead>
                <TableHead>Ports</TableHead>
                <TableHead>CPU / memory</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {status.services.flatMap((service) =>
                service.containers.length === 0
                  ? [
                      <TableRow key={service.service}>
                        <TableCell>
                          <ServiceName service={service.service} services={services} />
                        </TableCell>
                        <TableCell colSpan={6} className="text-muted-foreground">
                          No container
                        </TableCell>
                      </TableRow>,
                    ]
                  : service.containers.map((container, index) => (
                      <TableRow key={container.id}>
                        <TableCell>
                          {index === 0 ? (
                            <span className="grid gap-0.5">
                              <ServiceName service={service.service} services={services} />
                              {!service.inDeployedRevision ? <Badge variant="warning">not in the revision</Badge> : null}
                            </span>
                          ) : null}
                        </TableCell>
                        <TableCell>
                          <span className="grid gap-0.5">
                            <span className="font-mono text-xs">{container.name}</span>
                            <span className="text-xs text-muted-foreground">{container.status}</span>
                          </span>
                        </TableCell>
                        <TableCell>
                          <ContainerStateBadge state={container.state} />
                        </TableCell>
                        <TableCell>
                          {container.health ? (
                            <Badge variant={HEALTH_VARIANT[container.health] ?? "outline"}>{container.health}</Badge>
                          ) : (
                            <span className="text-xs text-muted-foreground">no check</span>
                          )}
                        </TableCell>
                        <TableCell className={cn("text-right tabular-nums", container.restartCount > 0 && "font-medium text-warning")}>{container.restartCount}</TableCell>
                        <TableCell>
                          {container.ports.length === 0 ? (
                            <span className="text-muted-foreground">—</span>
                          ) : (
                            <ul className="grid gap-0.5 font-mono text-xs">
                              {container.ports.map((port) => (
                                <li key={formatPort(port)}>{formatPort(port)}</li>
                              ))}
                            </ul>
                          )}
                        </TableCell>
                        <TableCell>
                          <Usage container={container} />
                        </TableCell>
                      </TableRow>
                    )),
              )}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </section>
  );
}

/** The service's colour (as in Logs) on a dot: coloured text read as a link, and this is not one. */
function ServiceName({ service, services }: { service: string; services: string[] }) {
  return (
    <span className="flex items-center gap-1.5 font-mono font-medium">
      <span aria-hidden className={cn("size-2 shrink-0 rounded-full bg-current", serviceColor(service, services))} />
      {service}
    </span>
  );
}

export function StatusTab({ stack }: { stack: StackDetail }) {
  if (stack.targets.length === 0) {
    return <EmptyState icon={ServerIcon} title="No target host yet" description="Status shows the stack's containers on each of its hosts." />;
  }
  return (
    <div className="grid gap-8">
      {stack.targets.map((target) => (
        <HostStatus key={target.host.id} stack={stack} target={target} />
      ))}
    </div>
  );
}
