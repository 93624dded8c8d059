"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2Icon, PlugZapIcon, RefreshCwIcon, XCircleIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { hostStatusLabel } from "~/components/host-status-badge";
import { useCan } from "~/components/me-context";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "~/components/ui/dialog";
import { errorMessage } from "~/lib/errors";
import { cn } from "~/lib/utils";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { EditHostDialog } from "./edit-host-dialog";
import type { HostDetail } from "./host-view";
import { RemoveHostDialog } from "./remove-host-dialog";

type TestResult = RouterOutputs["host"]["testConnection"];

const STEP_LABELS: Record<TestResult["steps"][number]["name"], string> = { ssh: "SSH", agent: "Agent", docker: "Docker" };

function TestResultsDialog({ hostName, result, onClose }: { hostName: string; result: TestResult | null; onClose: () => void }) {
  return (
    <Dialog open={result !== null} onOpenChange={(open) => !open && onClose()}>
      {/* One way out, named Close: the corner button would be a second "Close". */}
      <DialogContent showClose={false}>
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            {result?.ok ? (
              <CheckCircle2Icon aria-hidden className="size-5 text-success" />
            ) : (
              <XCircleIcon aria-hidden className="size-5 text-destructive" />
            )}
            {result?.ok ? "Connection test passed" : "Connection test failed"}
          </DialogTitle>
          <DialogDescription>Each layer between Wharf and Docker on {hostName}, tested in order.</DialogDescription>
        </DialogHeader>
        <ol className="grid gap-3">
          {result?.steps.map((step) => (
            <li key={step.name} className="grid grid-cols-[auto_minmax(0,1fr)_auto] items-start gap-3 rounded-lg border p-3 text-sm">
              {step.ok ? (
                <CheckCircle2Icon aria-label="Passed" className="mt-0.5 size-4 text-success" />
              ) : (
                <XCircleIcon aria-label="Failed" className="mt-0.5 size-4 text-destructive" />
              )}
              <div className="grid min-w-0 gap-0.5">
                <span className="font-medium">{STEP_LABELS[step.name]}</span>
                <span className={cn("wrap-anywhere", step.ok ? "text-muted-foreground" : "text-destructive")}>{step.detail}</span>
              </div>
              <span className="text-xs text-muted-foreground tabular-nums">{step.ms} ms</span>
            </li>
          ))}
        </ol>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function HostActions({ host }: { host: HostDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("host:write");
  const [result, setResult] = useState<TestResult | null>(null);
  const input = { hostId: host.id };

  // Every action can change status, facts and the lists: re-read all of this host's queries.
  const invalidateHost = () => queryClient.invalidateQueries(trpc.host.pathFilter());

  const test = useMutation(
    trpc.host.testConnection.mutationOptions({
      onSuccess: (data) => setResult(data),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void invalidateHost(),
    }),
  );
  const refresh = useMutation(
    trpc.host.refresh.mutationOptions({
      onSuccess: ({ status }) =>
        status === "ONLINE" ? toast.success(`${host.name} is online`) : toast.warning(`${host.name} is ${hostStatusLabel(status).toLowerCase()}`),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void invalidateHost(),
    }),
  );

  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="outline" size="sm" onClick={() => test.mutate(input)} disabled={test.isPending}>
        {test.isPending ? <Spinner /> : <PlugZapIcon aria-hidden />}
        {test.isPending ? "Testing…" : "Test connection"}
      </Button>
      <Button variant="outline" size="sm" onClick={() => refresh.mutate(input)} disabled={refresh.isPending}>
        <RefreshCwIcon aria-hidden className={cn(refresh.isPending && "animate-spin")} />
        Refresh
      </Button>
      {canWrite ? (
        <>
          <EditHostDialog host={host} />
          <RemoveHostDialog host={host} />
        </>
      ) : null}
      <TestResultsDialog hostName={host.name} result={result} onClose={() => setResult(null)} />
    </div>
  );
}
