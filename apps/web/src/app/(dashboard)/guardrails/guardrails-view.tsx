"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { GuardrailPolicy, GuardrailRule } from "@wharf/api/lib/guardrails";
import type { Role } from "@wharf/db";
import { SaveIcon } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";

import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { Textarea } from "~/components/ui/textarea";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

const ROLES: Role[] = ["OWNER", "ADMIN", "DEPLOYER", "VIEWER"];
const roleLabel = (role: Role): string => role.charAt(0) + role.slice(1).toLowerCase();

const RULE_LABELS: Record<GuardrailRule, string> = {
  privileged: "privileged: true",
  "bind-mount": "Bind mounts outside the allowed paths",
  "docker-socket": "The Docker socket",
  "cap-add": "cap_add beyond the allowed list",
  "host-network": "network_mode: host",
  "host-pid": "pid: host",
  "host-ipc": "ipc: host",
  "host-userns": "userns_mode: host",
  devices: "devices, device_cgroup_rules",
  gpus: "GPUs",
  "realtime-cpu": "cpu_rt_runtime, cpu_rt_period",
  rtprio: "ulimits: rtprio",
  "security-opt": "security_opt",
};

type PolicyAnswer = RouterOutputs["guardrail"]["policy"];

function ProtectionCard({ environmentId, environmentName }: { environmentId: string; environmentName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan("policy:manage");
  const protection = useQuery(trpc.approval.protection.queryOptions({ environmentId }));
  const save = useMutation(trpc.approval.setProtection.mutationOptions());
  const ids = { on: useId(), count: useId(), ttl: useId() };
  const [draft, setDraft] = useState<{ protected: boolean; requiredApprovals: number; expiresAfterMinutes: number } | null>(null);
  const current = draft ?? (protection.data ? { protected: protection.data.protected, requiredApprovals: protection.data.requiredApprovals, expiresAfterMinutes: protection.data.expiresAfterMinutes } : null);

  const submit = async (): Promise<void> => {
    if (!current) return;
    try {
      await save.mutateAsync({ environmentId, ...current });
      setDraft(null);
      toast.success(current.protected ? `${environmentName} is protected.` : `${environmentName} is no longer protected.`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await queryClient.invalidateQueries(trpc.approval.protection.queryFilter({ environmentId }));
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Protected environment</CardTitle>
        <p className="text-sm text-muted-foreground">A deploy, redeploy, rollback or down on a host of {environmentName} becomes a request that another member must approve.</p>
      </CardHeader>
      <CardContent>
        {current ? (
          <div className="flex flex-wrap items-end gap-4">
            <label htmlFor={ids.on} className="flex items-center gap-2 text-sm font-medium">
              <input id={ids.on} type="checkbox" className="size-4" checked={current.protected} disabled={!canManage} onChange={(e) => setDraft({ ...current, protected: e.target.checked })} />
              Require approval in {environmentName}
            </label>
            <div className="grid gap-1">
              <label htmlFor={ids.count} className="text-sm font-medium">
                Approvals needed
              </label>
              <Input id={ids.count} type="number" min={1} max={5} className="w-24" value={current.requiredApprovals} disabled={!canManage || !current.protected} onChange={(e) => setDraft({ ...current, requiredApprovals: Number(e.target.value) })} />
            </div>
            <div className="grid gap-1">
              <label htmlFor={ids.ttl} className="text-sm font-medium">
                Expires after (minutes)
              </label>
              <Input id={ids.ttl} type="number" min={5} className="w-32" value={current.expiresAfterMinutes} disabled={!canManage || !current.protected} onChange={(e) => setDraft({ ...current, expiresAfterMinutes: Number(e.target.value) })} />
            </div>
            {canManage ? (
              <Button size="sm" onClick={() => void submit()} disabled={save.isPending || draft === null}>
                {save.isPending ? <Spinner /> : <SaveIcon aria-hidden />}
                Save protection
              </Button>
            ) : null}
          </div>
        ) : (
          <Spinner />
        )}
      </CardContent>
    </Card>
  );
}

function PolicyCard({ environmentId, answer, scopeName }: { environmentId: string | null; answer: PolicyAnswer; scopeName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan("policy:manage");
  const save = useMutation(trpc.guardrail.setPolicy.mutationOptions());
  const ids = { prefixes: useId(), caps: useId() };
  const [policy, setPolicy] = useState<GuardrailPolicy>(answer.policy);
  const [prefixes, setPrefixes] = useState(answer.policy.bindMountPrefixes.join("\n"));
  const [caps, setCaps] = useState(answer.policy.capAddAllowed.join(", "));

  const toggle = (rule: GuardrailRule, role: Role, on: boolean) =>
    setPolicy({ ...policy, allow: { ...policy.allow, [rule]: on ? ROLES.filter((r) => r === role || policy.allow[rule].includes(r)) : policy.allow[rule].filter((r) => r !== role) } });

  const submit = async (): Promise<void> => {
    const next = {
      ...policy,
      bindMountPrefixes: prefixes.split("\n").map((line) => line.trim()).filter(Boolean),
      capAddAllowed: caps.split(/[\s,]+/).filter(Boolean),
    };
    try {
      await save.mutateAsync({ environmentId, policy: next });
      toast.success(`Guardrails of ${scopeName} saved.`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await queryClient.invalidateQueries(trpc.guardrail.policy.pathFilter());
    }
  };

  const source = { environment: "its own policy", team: "the team's policy", default: "Wharf's defaults" }[answer.source];
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Compose guardrails</CardTitle>
        <p className="text-sm text-muted-foreground">
          Which roles may use compose features that reach through to the host, checked on the merged config when files are saved and before every deploy. {scopeName} uses {source}.
        </p>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="min-w-0 rounded-lg border">
          <Table aria-label={`Guardrails of ${scopeName}`}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Rule</TableHead>
                <TableHead>Feature</TableHead>
                {ROLES.map((role) => (
                  <TableHead key={role} className="text-center">
                    {roleLabel(role)}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {answer.rules.map((rule) => (
                <TableRow key={rule}>
                  <TableCell>
                    <code className="font-mono text-xs">{rule}</code>
                  </TableCell>
                  <TableCell className="text-sm">{RULE_LABELS[rule]}</TableCell>
                  {ROLES.map((role) => (
                    <TableCell key={role} className="text-center">
                      <input
                        type="checkbox"
                        className="size-4"
                        aria-label={`${roleLabel(role)} may use ${rule}`}
                        checked={policy.allow[rule].includes(role)}
                        disabled={!canManage}
                        onChange={(event) => toggle(rule, role, event.target.checked)}
                      />
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
        <div className="grid gap-4 md:grid-cols-2">
          <div className="grid gap-1">
            <label htmlFor={ids.prefixes} className="text-sm font-medium">
              Bind mounts anyone may use (one host path per line)
            </label>
            <Textarea id={ids.prefixes} className="font-mono text-xs" value={prefixes} disabled={!canManage} onChange={(e) => setPrefixes(e.target.value)} />
            <p className="text-xs text-muted-foreground">A stack&apos;s own directory (./ paths) is always allowed.</p>
          </div>
          <div className="grid gap-1">
            <label htmlFor={ids.caps} className="text-sm font-medium">
              Capabilities anyone may add
            </label>
            <Input id={ids.caps} className="font-mono text-xs" value={caps} disabled={!canManage} onChange={(e) => setCaps(e.target.value)} />
          </div>
        </div>
        {canManage ? (
          <div>
            <Button size="sm" onClick={() => void submit()} disabled={save.isPending}>
              {save.isPending ? <Spinner /> : <SaveIcon aria-hidden />}
              Save guardrails of {scopeName}
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

export function GuardrailsView() {
  const trpc = useTRPC();
  const selectId = useId();
  const environments = useQuery(trpc.environment.list.queryOptions());
  const [scope, setScope] = useState<string>("");
  const environmentId = scope || null;
  const policy = useQuery(trpc.guardrail.policy.queryOptions({ environmentId }));
  const environment = environments.data?.find((e) => e.id === environmentId);
  const scopeName = environment ? environment.name : "the team";

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Guardrails"
        description="Per environment: whether deploys need approval, and which roles may use privileged compose features. Exceptions for one stack are granted on the stack."
        actions={
          <div className="flex items-center gap-2">
            <label htmlFor={selectId} className="text-sm text-muted-foreground">
              Environment
            </label>
            <NativeSelect id={selectId} value={scope} onChange={(event) => setScope(event.target.value)}>
              <option value="">Team default</option>
              {environments.data?.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </NativeSelect>
          </div>
        }
      />
      <ErrorAlert error={policy.error} title="The guardrails could not be loaded" />
      {environment ? <ProtectionCard key={`p-${environment.id}`} environmentId={environment.id} environmentName={environment.name} /> : null}
      {policy.data ? <PolicyCard key={`g-${scope}-${policy.dataUpdatedAt}`} environmentId={environmentId} answer={policy.data} scopeName={scopeName} /> : <Spinner />}
    </div>
  );
}
