"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { GuardrailRule } from "@wharf/api/lib/guardrails";
import { ShieldPlusIcon, Trash2Icon } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";

import { ApprovalRequestCard } from "~/components/approval-request-card";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

/** Guardrail rules waived for this stack, and (for members who manage policies) the form granting one. */
function ExceptionsCard({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan("policy:manage");
  const exceptions = useQuery(trpc.guardrail.exceptions.queryOptions({ stackId: stack.id }));
  // The rule names, from the server's own list.
  const rules = useQuery(trpc.guardrail.policy.queryOptions({ environmentId: null })).data?.rules ?? [];
  const grant = useMutation(trpc.guardrail.grantException.mutationOptions());
  const revoke = useMutation(trpc.guardrail.revokeException.mutationOptions());
  const ids = { rule: useId(), reason: useId() };
  const [rule, setRule] = useState<GuardrailRule>("privileged");
  const [reason, setReason] = useState("");

  const refresh = () => queryClient.invalidateQueries(trpc.guardrail.exceptions.queryFilter({ stackId: stack.id }));
  const submit = async (): Promise<void> => {
    try {
      await grant.mutateAsync({ stackId: stack.id, rule, reason });
      setReason("");
      toast.success(`${stack.name} may now use ${rule}.`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await refresh();
    }
  };
  const remove = async (which: GuardrailRule): Promise<void> => {
    try {
      await revoke.mutateAsync({ stackId: stack.id, rule: which });
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await refresh();
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h3">Guardrail exceptions</CardTitle>
        <p className="text-sm text-muted-foreground">Rules of the compose guardrails that do not apply to this stack, whoever deploys it. Each grant is recorded in the audit log.</p>
      </CardHeader>
      <CardContent className="grid gap-4">
        {exceptions.data?.length === 0 ? <p className="text-sm text-muted-foreground">None: every guardrail applies.</p> : null}
        <ul className="grid gap-2" aria-label="Exceptions">
          {exceptions.data?.map((exception) => (
            <li key={exception.id} className="flex flex-wrap items-center justify-between gap-2 text-sm">
              <span>
                <code className="font-mono text-xs">{exception.rule}</code>: {exception.reason} <span className="text-muted-foreground">(granted by {exception.grantedByLabel} <RelativeTime value={exception.createdAt} />)</span>
              </span>
              {canManage ? (
                <Button size="sm" variant="ghost" onClick={() => void remove(exception.rule as GuardrailRule)} disabled={revoke.isPending} aria-label={`Revoke the exception to ${exception.rule}`}>
                  <Trash2Icon aria-hidden />
                  Revoke
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
        {canManage ? (
          <div className="flex flex-wrap items-end gap-3">
            <div className="grid gap-1">
              <label htmlFor={ids.rule} className="text-sm font-medium">
                Rule
              </label>
              <NativeSelect id={ids.rule} value={rule} onChange={(event) => setRule(event.target.value as GuardrailRule)}>
                {rules.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="grid min-w-64 flex-1 gap-1">
              <label htmlFor={ids.reason} className="text-sm font-medium">
                Reason
              </label>
              <Input id={ids.reason} value={reason} onChange={(event) => setReason(event.target.value)} placeholder="e.g. the VPN gateway needs NET_ADMIN" maxLength={500} />
            </div>
            <Button size="sm" onClick={() => void submit()} disabled={grant.isPending || reason.trim().length < 3}>
              {grant.isPending ? <Spinner /> : <ShieldPlusIcon aria-hidden />}
              Grant exception
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

export function ApprovalsTab({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const requests = useQuery(trpc.approval.list.queryOptions({ stackId: stack.id }, { refetchInterval: 5_000 }));
  return (
    <div className="grid gap-4">
      <ExceptionsCard stack={stack} />
      <h3 className="text-base font-semibold">Approval requests</h3>
      {requests.data?.length === 0 ? <p className="text-sm text-muted-foreground">No deploy of this stack has needed approval yet.</p> : null}
      {requests.data?.map((request) => (
        <ApprovalRequestCard key={request.id} request={request} showStack={false} heading="h4" />
      ))}
    </div>
  );
}
