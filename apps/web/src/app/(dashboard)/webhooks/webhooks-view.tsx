"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, SendIcon, Trash2Icon, WebhookIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { CreateWebhookDialog } from "./create-webhook-dialog";
import { EVENT_LABELS, FORMAT_LABELS } from "./webhook-labels";

type Target = RouterOutputs["webhook"]["list"]["targets"][number];

export function WebhooksView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.webhook.list.queryOptions());
  const allowPrivate = useMutation(trpc.webhook.setAllowPrivate.mutationOptions());
  const refresh = () => queryClient.invalidateQueries(trpc.webhook.list.queryFilter());

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Webhooks"
        description="Wharf posts the team's events to these URLs: deploys, approvals, hosts going offline. Each request is signed (Standard Webhooks) and retried with backoff."
        actions={<CreateWebhookDialog />}
      />
      <ErrorAlert error={list.error} title="The webhooks could not be loaded" />
      {list.data && list.data.targets.length === 0 ? (
        <EmptyState icon={WebhookIcon} title="No webhooks yet" description="Add one to tell a chat channel or your own service when a deploy starts, succeeds or fails." />
      ) : null}
      {list.data?.targets.map((target) => <TargetCard key={target.id} target={target} />)}
      {list.data ? (
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="size-4"
            checked={list.data.allowPrivate}
            disabled={allowPrivate.isPending}
            onChange={(event) =>
              void allowPrivate.mutateAsync({ allow: event.target.checked }).then(refresh, (error: unknown) => toast.error(errorMessage(error)))
            }
          />
          Allow targets on private and loopback addresses (only for receivers inside your own network)
        </label>
      ) : null}
    </div>
  );
}

function TargetCard({ target }: { target: Target }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const update = useMutation(trpc.webhook.update.mutationOptions());
  const sendTest = useMutation(trpc.webhook.sendTest.mutationOptions());
  const remove = useMutation(trpc.webhook.remove.mutationOptions());
  const refresh = async (): Promise<void> => {
    await queryClient.invalidateQueries(trpc.webhook.list.queryFilter());
    await queryClient.invalidateQueries(trpc.webhook.deliveries.queryFilter({ targetId: target.id }));
  };

  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-2">
        <div className="grid gap-1">
          <CardTitle className="flex items-center gap-2">
            {target.name}
            <Badge variant={target.enabled ? "secondary" : "outline"}>{target.enabled ? "Enabled" : "Disabled"}</Badge>
            <Badge variant="outline">{FORMAT_LABELS[target.format as keyof typeof FORMAT_LABELS] ?? target.format}</Badge>
          </CardTitle>
          <p className="font-mono text-xs break-all text-muted-foreground">{target.url}</p>
          <p className="text-sm text-muted-foreground">{target.events.map((event) => EVENT_LABELS[event as keyof typeof EVENT_LABELS] ?? event).join(", ")}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={!target.enabled || sendTest.isPending}
            onClick={() =>
              void sendTest.mutateAsync({ targetId: target.id }).then(
                () => {
                  toast.success(`Test event queued for ${target.name}`);
                  setShowLog(true);
                },
                (error: unknown) => toast.error(errorMessage(error)),
              )
            }
          >
            <SendIcon aria-hidden />
            Send test event
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={update.isPending}
            onClick={() => void update.mutateAsync({ targetId: target.id, enabled: !target.enabled }).then(refresh, (error: unknown) => toast.error(errorMessage(error)))}
          >
            {target.enabled ? "Disable" : "Enable"}
          </Button>
          <Button variant="outline" size="sm" aria-expanded={showLog} onClick={() => setShowLog((shown) => !shown)}>
            {showLog ? "Hide deliveries" : "Deliveries"}
          </Button>
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="icon-sm" aria-label={`Delete webhook ${target.name}`} title="Delete webhook" className="text-muted-foreground hover:text-destructive">
                <Trash2Icon aria-hidden />
              </Button>
            }
            title={`Delete ${target.name}?`}
            description="Wharf stops sending events to this URL and forgets its delivery log."
            confirmLabel="Delete webhook"
            pending={remove.isPending}
            error={remove.error}
            onConfirm={async () => {
              await remove.mutateAsync({ targetId: target.id });
              await refresh();
              toast.success(`Deleted ${target.name}`);
            }}
            onClosed={() => remove.reset()}
          />
        </div>
      </CardHeader>
      <CardContent className="grid gap-3">
        {target.disabledReason ? (
          <Alert variant="destructive">
            <AlertCircleIcon aria-hidden />
            <AlertTitle>Turned off</AlertTitle>
            <AlertDescription>{target.disabledReason}</AlertDescription>
          </Alert>
        ) : target.failingSince ? (
          <p className="text-sm text-destructive">
            Failing since <RelativeTime value={target.failingSince} />; Wharf turns it off after a day of failures.
          </p>
        ) : null}
        {showLog ? <DeliveryLog targetId={target.id} /> : null}
      </CardContent>
    </Card>
  );
}

function DeliveryLog({ targetId }: { targetId: string }) {
  const trpc = useTRPC();
  // Refreshed while open: retries land over the next minutes.
  const deliveries = useQuery({ ...trpc.webhook.deliveries.queryOptions({ targetId }), refetchInterval: 3_000 });
  if (deliveries.error) return <p className="text-sm text-destructive">{errorMessage(deliveries.error)}</p>;
  if (!deliveries.data) return <p className="text-sm text-muted-foreground">Loading deliveries…</p>;
  if (deliveries.data.length === 0) return <p className="text-sm text-muted-foreground">No deliveries yet.</p>;
  return (
    <Table aria-label="Deliveries">
      <TableHeader>
        <TableRow>
          <TableHead>Event</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Attempts</TableHead>
          <TableHead>Answer</TableHead>
          <TableHead>When</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.data.map((delivery) => (
          <TableRow key={delivery.id}>
            <TableCell className="font-mono text-xs">{delivery.eventType}</TableCell>
            <TableCell>
              <Badge variant={delivery.status === "SUCCEEDED" ? "secondary" : delivery.status === "PENDING" || delivery.status === "RETRYING" ? "outline" : "destructive"}>
                {delivery.status.toLowerCase()}
              </Badge>
            </TableCell>
            <TableCell className="tabular-nums">{delivery.attempts}</TableCell>
            <TableCell className="max-w-96">
              <span className="font-mono text-xs">{delivery.statusCode ?? "-"}</span>{" "}
              <span className="text-xs break-all text-muted-foreground">{delivery.error ?? delivery.responseBody ?? ""}</span>
            </TableCell>
            <TableCell>
              <RelativeTime value={delivery.lastAttemptAt ?? delivery.createdAt} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
