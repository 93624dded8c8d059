"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckIcon, XIcon } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { toast } from "sonner";

import { useCan, useMe } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { Textarea } from "~/components/ui/textarea";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

export type ApprovalRequest = RouterOutputs["approval"]["list"][number];
type HostDiff = ApprovalRequest["diff"][number];

const STATUS: Record<ApprovalRequest["status"], { label: string; variant: BadgeVariant }> = {
  PENDING: { label: "Waiting for approval", variant: "warning" },
  APPROVED: { label: "Approved", variant: "success" },
  REJECTED: { label: "Rejected", variant: "destructive" },
  EXPIRED: { label: "Expired", variant: "secondary" },
};

/** A unified patch with its additions and removals coloured, as `git diff` shows them. */
function Patch({ text, label }: { text: string; label: string }) {
  // The two header lines of createTwoFilesPatch ("Index"/"===") carry nothing a reader needs.
  const lines = text.split("\n").filter((line) => !line.startsWith("Index:") && !line.startsWith("====="));
  return (
    <pre aria-label={label} className="max-h-72 overflow-auto rounded-md border bg-muted/40 p-2 font-mono text-xs leading-5">
      {lines.map((line, i) => (
        <span key={i} className={line.startsWith("+") && !line.startsWith("+++") ? "block text-success" : line.startsWith("-") && !line.startsWith("---") ? "block text-destructive" : "block"}>
          {line || "\u00a0"}
        </span>
      ))}
    </pre>
  );
}

function DiffOfHost({ diff, heading: Heading }: { diff: HostDiff; heading: "h3" | "h5" }) {
  const nothing = diff.files.length + diff.env.length + diff.limits.length + diff.images.length === 0;
  return (
    <section aria-label={`Changes on ${diff.hostName}`} className="grid gap-2">
      <Heading className="text-sm font-medium">
        {diff.hostName}: {diff.running ? `runs revision #${diff.running}` : "runs nothing"} → {diff.requested ? `revision #${diff.requested}` : "nothing (down)"}
      </Heading>
      {nothing ? <p className="text-sm text-muted-foreground">No change in files, variables, limits or images.</p> : null}
      {diff.images.length > 0 ? (
        <ul className="grid gap-0.5 text-sm" aria-label="Images">
          {diff.images.map((image) => (
            <li key={image.service}>
              Image of <code className="font-mono text-xs">{image.service}</code>: <code className="font-mono text-xs">{image.from ?? "none"}</code> →{" "}
              <code className="font-mono text-xs">{image.to ?? "none"}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {diff.env.length > 0 ? (
        <p className="text-sm">
          Variables:{" "}
          {diff.env.map((entry) => (
            <Badge key={entry.key} variant={entry.change === "added" ? "success" : "destructive"} className="mr-1 font-mono">
              {entry.change === "added" ? "+" : "−"}
              {entry.key}
            </Badge>
          ))}
        </p>
      ) : null}
      {diff.limits.length > 0 ? (
        <p className="text-sm">
          Limits changed for: {diff.limits.map((limit) => `${limit.service} (${limit.change})`).join(", ")}
        </p>
      ) : null}
      {diff.files.map((file) => (
        <details key={file.path} className="text-sm" open={diff.files.length <= 2}>
          <summary className="cursor-pointer">
            <code className="font-mono text-xs">{file.path}</code> <span className="text-muted-foreground">({file.change})</span>
          </summary>
          <Patch text={file.patch} label={`Changes to ${file.path}`} />
        </details>
      ))}
    </section>
  );
}

function DecisionForm({ request }: { request: ApprovalRequest }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const commentId = useId();
  const [comment, setComment] = useState("");
  const decide = useMutation(trpc.approval.decide.mutationOptions());

  const submit = async (approve: boolean): Promise<void> => {
    try {
      const result = await decide.mutateAsync({ requestId: request.id, approve, comment });
      toast.success(result.status === "APPROVED" ? "Approved: the job is queued." : result.status === "REJECTED" ? "Rejected." : "Your approval is recorded; more are needed.");
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await queryClient.invalidateQueries(trpc.approval.pathFilter());
      await queryClient.invalidateQueries(trpc.stack.pathFilter());
    }
  };

  return (
    <div className="grid gap-2">
      <label htmlFor={commentId} className="text-sm font-medium">
        Comment
      </label>
      <Textarea id={commentId} value={comment} onChange={(event) => setComment(event.target.value)} placeholder="Why you approve or reject it (optional)" maxLength={1000} />
      <div className="flex gap-2">
        <Button size="sm" onClick={() => void submit(true)} disabled={decide.isPending}>
          {decide.isPending && decide.variables.approve ? <Spinner /> : <CheckIcon aria-hidden />}
          Approve
        </Button>
        <Button size="sm" variant="outline" onClick={() => void submit(false)} disabled={decide.isPending}>
          {decide.isPending && !decide.variables.approve ? <Spinner /> : <XIcon aria-hidden />}
          Reject
        </Button>
      </div>
    </div>
  );
}

/** One request: what it would change, who answered, and, for members who may, the approve/reject form. */
/** On its own page a request is an h2; inside a stack's tab, under that tab's h3, an h4. */
export function ApprovalRequestCard({ request, showStack = true, heading = "h2" }: { request: ApprovalRequest; showStack?: boolean; heading?: "h2" | "h4" }) {
  const { user } = useMe();
  const canApprove = useCan("deployment:approve");
  const status = STATUS[request.status];
  const approvals = request.decisions.filter((d) => d.approve).length;
  const mine = request.requestedById === user.id;
  const answered = request.decisions.some((d) => d.userId === user.id);
  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle as={heading}>
            {request.action.charAt(0) + request.action.slice(1).toLowerCase()} {showStack ? <Link href={`/stacks/${request.stack.id}`} className="underline underline-offset-4">{request.stack.name}</Link> : null}
            {request.revisionNumber ? ` revision #${request.revisionNumber}` : null}
          </CardTitle>
          <p className="text-sm text-muted-foreground">
            Asked by {request.requestedByLabel} <RelativeTime value={request.createdAt} />; {approvals} of {request.requiredApprovals} approval(s)
            {request.status === "PENDING" ? (
              <>
                ; expires <RelativeTime value={request.expiresAt} />
              </>
            ) : null}
          </p>
        </div>
        <Badge variant={status.variant}>{status.label}</Badge>
      </CardHeader>
      <CardContent className="grid gap-4">
        {request.diff.map((diff) => (
          <DiffOfHost key={diff.hostId} diff={diff} heading={heading === "h2" ? "h3" : "h5"} />
        ))}
        {request.decisions.length > 0 ? (
          <ul className="grid gap-1 text-sm" aria-label="Decisions">
            {request.decisions.map((decision) => (
              <li key={decision.userId}>
                <strong>{decision.userLabel}</strong> {decision.approve ? "approved" : "rejected"} <RelativeTime value={decision.createdAt} />
                {decision.comment ? `: “${decision.comment}”` : ""}
              </li>
            ))}
          </ul>
        ) : null}
        {request.error ? <p className="text-sm text-destructive">{request.error}</p> : null}
        {request.deploymentIds.length > 0 ? (
          <p className="text-sm">
            Ran as {request.deploymentIds.length} job(s): follow {request.deploymentIds.length === 1 ? "it" : "them"} on the stack&apos;s{" "}
            <Link className="underline underline-offset-4" href={`/stacks/${request.stack.id}?tab=deploy`}>
              Deploy tab
            </Link>
            .
          </p>
        ) : null}
        {request.status === "PENDING" && canApprove && !mine && !answered ? <DecisionForm request={request} /> : null}
        {request.status === "PENDING" && mine ? <p className="text-sm text-muted-foreground">You asked for it: another member approves or rejects it.</p> : null}
      </CardContent>
    </Card>
  );
}
