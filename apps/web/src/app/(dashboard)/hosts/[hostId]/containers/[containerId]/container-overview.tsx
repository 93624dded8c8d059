"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { EyeIcon, EyeOffIcon, LockIcon } from "lucide-react";
import Link from "next/link";
import { type ReactNode, useState } from "react";
import { toast } from "sonner";

import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { NativeSelect } from "~/components/ui/native-select";
import { errorMessage } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { useInvalidateNetworks } from "../../networks/networks-tab";

export type ContainerDetail = RouterOutputs["container"]["byId"];

const none = <span className="text-muted-foreground">none</span>;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2" className="text-base">
          {title}
        </CardTitle>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function StateSection({ container }: { container: ContainerDetail }) {
  const { state, health } = container;
  return (
    <Section title="State">
      <dl>
        <Row label="Status">{state.status}{state.oomKilled ? <Badge variant="destructive" className="ml-2">OOM killed</Badge> : null}</Row>
        <Row label="Started">{state.startedAt ? <RelativeTime value={state.startedAt} /> : "never"}</Row>
        {!state.running && state.finishedAt ? (
          <Row label="Exited">
            <RelativeTime value={state.finishedAt} /> with code {state.exitCode}
          </Row>
        ) : null}
        {state.error ? <Row label="Error">{state.error}</Row> : null}
        <Row label="Restarts">
          {container.restartCount} (policy {container.restartPolicy.name}
          {container.restartPolicy.name === "on-failure" ? `, at most ${container.restartPolicy.maximumRetryCount}` : ""})
        </Row>
        <Row label="Created">
          <RelativeTime value={container.createdAt} />
        </Row>
        <Row label="Health">{health ? `${health.status}${health.failingStreak > 0 ? `, ${health.failingStreak} failing in a row` : ""}` : "no health check"}</Row>
      </dl>
      {health && health.log.length > 0 ? (
        <div className="mt-3 grid gap-1">
          <h3 className="text-sm font-medium">Last checks</h3>
          <ol className="grid gap-1">
            {[...health.log].reverse().map((check) => (
              <li key={check.start} className="grid gap-0.5 rounded-md border p-2 text-xs">
                <span>
                  <Badge variant={check.exitCode === 0 ? "success" : "destructive"}>exit {check.exitCode}</Badge> <RelativeTime value={check.end} />
                </span>
                {check.output.trim() ? <pre className="overflow-x-auto whitespace-pre-wrap font-mono">{check.output.trim()}</pre> : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </Section>
  );
}

function ProcessSection({ container }: { container: ContainerDetail }) {
  return (
    <Section title="Process">
      <dl>
        <Row label="Command">
          <code className="font-mono text-xs">{container.command.map((arg) => (/[\s"'$]/.test(arg) ? JSON.stringify(arg) : arg)).join(" ")}</code>
        </Row>
        <Row label="Working directory">{container.workingDir || "/"}</Row>
        <Row label="User">{container.user || "image default"}</Row>
        <Row label="Hostname">{container.hostname}</Row>
        <Row label="Compose">
          {container.compose ? (
            <>
              {container.compose.project}
              {container.compose.service ? ` / ${container.compose.service}` : ""}
            </>
          ) : (
            none
          )}
        </Row>
        <Row label="Wharf stack">
          {container.stack ? (
            <Link href={`/stacks/${container.stack.id}`} className="underline underline-offset-4">
              {container.stack.name}
            </Link>
          ) : (
            none
          )}
        </Row>
      </dl>
    </Section>
  );
}

function cpus(limits: ContainerDetail["limits"]): string {
  if (limits.nanoCpus > 0) return `${limits.nanoCpus / 1e9} CPUs`;
  if (limits.cpuQuota > 0 && limits.cpuPeriod > 0) return `${(limits.cpuQuota / limits.cpuPeriod).toFixed(2)} CPUs (quota)`;
  return "no limit";
}

function LimitsSection({ limits }: { limits: ContainerDetail["limits"] }) {
  return (
    <Section title="Limits">
      <dl>
        <Row label="Memory">{limits.memoryBytes > 0 ? formatBytes(limits.memoryBytes) : "no limit"}</Row>
        {limits.memoryReservationBytes > 0 ? <Row label="Memory reservation">{formatBytes(limits.memoryReservationBytes)}</Row> : null}
        {limits.memorySwapBytes > 0 ? <Row label="Memory + swap">{formatBytes(limits.memorySwapBytes)}</Row> : null}
        <Row label="CPUs">{cpus(limits)}</Row>
        {limits.cpuShares > 0 ? <Row label="CPU shares">{limits.cpuShares}</Row> : null}
        <Row label="CPU set">{limits.cpusetCpus || "all"}{limits.cpusetMems ? ` (memory nodes ${limits.cpusetMems})` : ""}</Row>
        <Row label="Real-time">{limits.cpuRealtimeRuntime > 0 ? `${limits.cpuRealtimeRuntime} µs per ${limits.cpuRealtimePeriod || 1_000_000} µs` : none}</Row>
        <Row label="Processes">{limits.pidsLimit ?? "no limit"}</Row>
        <Row label="Ulimits">
          {limits.ulimits.length === 0 ? none : (
            <ul className="font-mono text-xs">
              {limits.ulimits.map((limit) => (
                <li key={limit.name}>
                  {limit.name}={limit.soft}:{limit.hard}
                </li>
              ))}
            </ul>
          )}
        </Row>
        <Row label="Capabilities">
          {limits.privileged ? <Badge variant="destructive">privileged</Badge> : null}
          {limits.capAdd.length > 0 ? <span className="font-mono text-xs"> +{limits.capAdd.join(" +")}</span> : null}
          {limits.capDrop.length > 0 ? <span className="font-mono text-xs"> −{limits.capDrop.join(" −")}</span> : null}
          {!limits.privileged && limits.capAdd.length === 0 && limits.capDrop.length === 0 ? "Docker's defaults" : null}
        </Row>
        <Row label="Devices">
          {limits.devices.length === 0 && limits.deviceRequests.length === 0 ? none : (
            <ul className="font-mono text-xs">
              {limits.devices.map((device) => (
                <li key={device.pathInContainer}>
                  {device.pathOnHost} → {device.pathInContainer} ({device.permissions})
                </li>
              ))}
              {limits.deviceRequests.map((request, index) => (
                <li key={index}>
                  {request.driver || "gpu"}: {request.count === -1 ? "all" : request.deviceIds.length > 0 ? request.deviceIds.join(", ") : request.count} [{request.capabilities.flat().join(", ")}]
                </li>
              ))}
            </ul>
          )}
        </Row>
      </dl>
    </Section>
  );
}

/** Attach the container to another network of the host, or detach it from one (host:write). */
function NetworkAttach({ hostId, container }: { hostId: string; container: ContainerDetail }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateNetworks(hostId);
  const networks = useQuery(trpc.host.networks.queryOptions({ hostId }));
  const [chosen, setChosen] = useState("");
  const connect = useMutation(trpc.network.connect.mutationOptions({ onSuccess: () => toast.success(`Connected ${container.name} to ${chosen}`), onError: (error) => toast.error(errorMessage(error)), onSettled: invalidate }));
  const attached = new Set(container.networks.map((network) => network.name));
  const choices = (networks.data ?? []).filter((network) => !attached.has(network.name) && network.name !== "host" && network.name !== "none");
  return (
    <div className="mt-2 flex items-center gap-2">
      <NativeSelect aria-label="Network to connect to" value={chosen} onChange={(event) => setChosen(event.target.value)} className="h-8 w-60">
        <option value="">Connect to a network…</option>
        {choices.map((network) => (
          <option key={network.id} value={network.name}>
            {network.name}
          </option>
        ))}
      </NativeSelect>
      <Button size="sm" variant="outline" disabled={!chosen || connect.isPending} onClick={() => connect.mutate({ hostId, network: chosen, container: container.id, aliases: [] })}>
        Connect
      </Button>
    </div>
  );
}

function DisconnectButton({ hostId, container, network }: { hostId: string; container: ContainerDetail; network: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateNetworks(hostId);
  const disconnect = useMutation(
    trpc.network.disconnect.mutationOptions({ onSuccess: () => toast.success(`Disconnected ${container.name} from ${network}`), onError: (error) => toast.error(errorMessage(error)), onSettled: invalidate }),
  );
  return (
    <Button size="sm" variant="ghost" className="h-6 px-2 text-xs" disabled={disconnect.isPending} onClick={() => disconnect.mutate({ hostId, network, container: container.id, force: false })}>
      Disconnect
    </Button>
  );
}

function NetworkSection({ hostId, container, canWrite }: { hostId: string; container: ContainerDetail; canWrite: boolean }) {
  return (
    <Section title="Ports and networks">
      <dl>
        <Row label="Ports">
          {container.ports.length === 0 ? none : (
            <ul className="font-mono text-xs">
              {container.ports.map((port) => (
                <li key={`${port.containerPort}-${port.hostIp ?? ""}-${port.hostPort ?? ""}`}>
                  {port.hostPort ? `${port.hostIp || "0.0.0.0"}:${port.hostPort} → ` : ""}
                  {port.containerPort}
                </li>
              ))}
            </ul>
          )}
        </Row>
        {container.networks.map((network) => (
          <Row key={network.name} label={network.name}>
            <span className="font-mono text-xs">
              {network.ipAddress || "no address"}
              {network.gateway ? ` via ${network.gateway}` : ""}
              {network.aliases.length > 0 ? ` · aliases ${network.aliases.join(", ")}` : ""}
            </span>
            {canWrite ? <DisconnectButton hostId={hostId} container={container} network={network.name} /> : null}
          </Row>
        ))}
      </dl>
      {canWrite ? <NetworkAttach hostId={hostId} container={container} /> : null}
    </Section>
  );
}

function MountsSection({ mounts }: { mounts: ContainerDetail["mounts"] }) {
  return (
    <Section title="Mounts">
      {mounts.length === 0 ? (
        <p className="text-sm text-muted-foreground">No mounts.</p>
      ) : (
        <ul className="grid gap-1 text-sm">
          {mounts.map((mount) => (
            <li key={mount.destination} className="font-mono text-xs">
              <Badge variant="outline">{mount.type}</Badge> {mount.name ?? mount.source} → {mount.destination} {mount.readWrite ? "(rw)" : "(ro)"}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function LabelsSection({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Section title="Labels">
      {entries.length === 0 ? (
        <p className="text-sm text-muted-foreground">No labels.</p>
      ) : (
        <dl className="grid gap-0.5 font-mono text-xs">
          {entries.map(([key, value]) => (
            <div key={key} className="flex gap-2">
              <dt className="text-muted-foreground">{key}</dt>
              <dd className="min-w-0 break-all">{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </Section>
  );
}

/** Names first; values only after Reveal (host:write, audited). A Wharf stack's secrets never come back. */
function EnvSection({ hostId, container, canReveal }: { hostId: string; container: ContainerDetail; canReveal: boolean }) {
  const trpc = useTRPC();
  const reveal = useMutation(trpc.container.revealEnv.mutationOptions());
  const env = reveal.data ?? container.env;
  return (
    <Section title="Environment">
      <div className="mb-2 flex items-center gap-2">
        {canReveal ? (
          reveal.data ? (
            <Button size="sm" variant="outline" onClick={() => reveal.reset()}>
              <EyeOffIcon aria-hidden />
              Hide values
            </Button>
          ) : (
            <Button size="sm" variant="outline" onClick={() => reveal.mutate({ hostId, containerId: container.id })} disabled={reveal.isPending}>
              <EyeIcon aria-hidden />
              Reveal values
            </Button>
          )
        ) : (
          <p className="text-xs text-muted-foreground">Values are shown to those allowed to manage the host.</p>
        )}
        {reveal.error ? <span className="text-xs text-destructive">{errorMessage(reveal.error)}</span> : null}
      </div>
      <dl className="grid gap-0.5 font-mono text-xs">
        {env.map((entry, index) => (
          <div key={`${entry.name}-${index}`} className="flex gap-2">
            <dt className="font-semibold">{entry.name}</dt>
            <dd className="min-w-0 break-all">
              {entry.secret ? (
                <span className="inline-flex items-center gap-1 text-muted-foreground" title="A secret variable of the Wharf stack: never shown">
                  <LockIcon aria-hidden className="size-3" />
                  secret
                </span>
              ) : entry.value === null ? (
                <span className="text-muted-foreground">••••••</span>
              ) : (
                entry.value
              )}
            </dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

export function ContainerOverview({ hostId, container, canReveal }: { hostId: string; container: ContainerDetail; canReveal: boolean }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <StateSection container={container} />
      <ProcessSection container={container} />
      <LimitsSection limits={container.limits} />
      <NetworkSection hostId={hostId} container={container} canWrite={canReveal} />
      <MountsSection mounts={container.mounts} />
      <EnvSection hostId={hostId} container={container} canReveal={canReveal} />
      <LabelsSection labels={container.labels} />
    </div>
  );
}
