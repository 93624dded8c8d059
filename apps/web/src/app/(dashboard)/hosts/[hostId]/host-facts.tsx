import type { Capability, HostFacts as Facts } from "@wharf/agent-protocol";
import { CheckCircle2Icon, CircleSlashIcon, InfoIcon, LayersIcon, type LucideIcon, PackageIcon, ServerIcon, SparklesIcon } from "lucide-react";
import type { ReactNode } from "react";

import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { formatBytes } from "~/lib/format";
import { cn } from "~/lib/utils";

function FactCard({
  title,
  icon: Icon,
  children,
  className,
  listClassName,
}: {
  title: string;
  icon: LucideIcon;
  children: ReactNode;
  className?: string;
  listClassName?: string;
}) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle as="h3" className="flex items-center gap-2 text-sm">
          <Icon aria-hidden className="size-4 text-muted-foreground" />
          {title}
        </CardTitle>
      </CardHeader>
      <CardContent>
        <dl className={cn("grid gap-2 text-sm", listClassName)}>{children}</dl>
      </CardContent>
    </Card>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-4">
      <dt className="shrink-0 text-muted-foreground">{label}</dt>
      <dd className="min-w-0 truncate text-right font-medium">{children}</dd>
    </div>
  );
}

function CapabilityRow({ label, capability }: { label: string; capability: Capability }) {
  return (
    <div className="grid grid-cols-[1fr_auto] content-start items-center gap-x-2 gap-y-1.5 rounded-lg border p-3">
      <dt className="text-sm font-medium">{label}</dt>
      <dd>
        {capability.available ? (
          <Badge variant="success">
            <CheckCircle2Icon aria-hidden />
            Available
          </Badge>
        ) : (
          <Badge variant="secondary">
            <CircleSlashIcon aria-hidden />
            Unavailable
          </Badge>
        )}
      </dd>
      <dd className="col-span-2 text-xs text-muted-foreground">{capability.detail}</dd>
    </div>
  );
}

const COMPOSE_FLAVOR: Record<Facts["compose"]["flavor"], string> = {
  v2: "docker compose (v2)",
  v1: "docker-compose (v1)",
  none: "Not installed",
};

export function HostFacts({ facts, factsAt }: { facts: Facts | null; factsAt: Date | null }) {
  if (!facts) {
    return (
      <section aria-labelledby="facts-heading" className="flex items-center gap-3 rounded-xl border border-dashed p-5 text-sm text-muted-foreground">
        <InfoIcon aria-hidden className="size-4" />
        <h2 id="facts-heading">No facts yet: Wharf reads them the first time the host answers.</h2>
      </section>
    );
  }
  const { docker, compose, capabilities } = facts;
  return (
    <section aria-labelledby="facts-heading" className="grid gap-3">
      <div className="flex items-baseline justify-between gap-4">
        <h2 id="facts-heading" className="text-lg font-semibold tracking-tight">
          Host facts
        </h2>
        <p className="text-xs text-muted-foreground">
          Read <RelativeTime value={factsAt} />
        </p>
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <FactCard title="System" icon={ServerIcon}>
          <Fact label="OS">{facts.os}</Fact>
          <Fact label="Kernel">{facts.kernel}</Fact>
          <Fact label="Architecture">{facts.architecture}</Fact>
          <Fact label="Hostname">{facts.hostname}</Fact>
          <Fact label="CPUs">{facts.cpus}</Fact>
          <Fact label="Memory">{formatBytes(facts.memoryBytes)}</Fact>
        </FactCard>
        <FactCard title="Docker" icon={PackageIcon}>
          <Fact label="Version">{docker.version}</Fact>
          <Fact label="API">{docker.apiVersion}</Fact>
          <Fact label="Storage driver">{docker.storageDriver}</Fact>
          <Fact label="Root directory">
            <span className="font-mono text-xs" title={docker.rootDir}>
              {docker.rootDir}
            </span>
          </Fact>
          <Fact label="Containers">
            {docker.containers.running} running · {docker.containers.stopped} stopped
          </Fact>
          <Fact label="Images">{docker.images}</Fact>
        </FactCard>
        <FactCard title="Runtimes and Compose" icon={LayersIcon} className="sm:col-span-2 lg:col-span-1">
          <Fact label="cgroup">
            v{docker.cgroupVersion.replace(/^v/, "")} · {docker.cgroupDriver}
          </Fact>
          <Fact label="Default runtime">{docker.defaultRuntime}</Fact>
          <div className="grid gap-1.5">
            <dt className="text-muted-foreground">Runtimes</dt>
            <dd className="flex flex-wrap gap-1">
              {docker.runtimes.map((runtime) => (
                <Badge key={runtime} variant="outline" className="font-mono font-normal">
                  {runtime}
                </Badge>
              ))}
            </dd>
          </div>
          <Fact label="Compose">{COMPOSE_FLAVOR[compose.flavor]}</Fact>
          <Fact label="Compose version">{compose.version ?? "—"}</Fact>
        </FactCard>
        <FactCard title="Capabilities" icon={SparklesIcon} className="sm:col-span-2 lg:col-span-3" listClassName="lg:grid-cols-3">
          <CapabilityRow label="NVIDIA runtime" capability={capabilities.nvidiaRuntime} />
          <CapabilityRow label="Real-time CPU" capability={capabilities.realtimeCpu} />
          <CapabilityRow label="Real-time priority (rtprio)" capability={capabilities.rtprio} />
        </FactCard>
      </div>
    </section>
  );
}
