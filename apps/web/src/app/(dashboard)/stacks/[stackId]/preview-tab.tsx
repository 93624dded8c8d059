"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { FileWarningIcon, RefreshCwIcon, ServerIcon } from "lucide-react";
import { useState } from "react";

import { CodeEditor } from "~/components/code-editor";
import { CopyButton } from "~/components/copy-button";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { NativeSelect } from "~/components/ui/native-select";
import { Skeleton } from "~/components/ui/skeleton";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { draftToInput, type StackDetail } from "./stack-draft";
import { TargetHostSelect } from "./target-host-select";
import type { StackDraftState } from "./use-stack-draft";

type Preview = RouterOutputs["stack"]["preview"];

function PreviewResult({ preview, hostName }: { preview: Preview; hostName: string }) {
  if (!preview.ok) {
    const { file, line, message } = preview.problem;
    return (
      <Alert variant="destructive">
        <FileWarningIcon aria-hidden />
        <AlertTitle>
          compose rejected the files on {hostName}
          {file ? (
            <>
              {" "}
              at <span className="font-mono">{file}{line ? `:${line}` : ""}</span>
            </>
          ) : null}
        </AlertTitle>
        <AlertDescription>
          <pre className="font-mono text-xs whitespace-pre-wrap">{message}</pre>
          <p>Nothing can be deployed until this is fixed.</p>
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <div className="grid gap-4">
      <dl className="grid items-start gap-x-8 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <div className="grid gap-1">
          <dt className="text-xs text-muted-foreground">Compose</dt>
          <dd>
            {/* The command the host has: the v2 plugin, or the older standalone docker-compose. */}
            <code className="font-mono">{preview.compose.flavor === "v2" ? "docker compose" : "docker-compose"}</code> {preview.compose.version}
          </dd>
        </div>
        <div className="grid gap-1 lg:col-span-2">
          <dt className="text-xs text-muted-foreground">Files, in -f order</dt>
          <dd className="flex flex-wrap gap-1">
            {preview.files.map((file, index) => (
              <Badge key={file} variant="outline" className="font-mono font-normal">
                {index + 1}. {file}
              </Badge>
            ))}
          </dd>
        </div>
        <div className="grid gap-1">
          <dt className="text-xs text-muted-foreground">Services</dt>
          <dd className="flex flex-wrap gap-1">
            {preview.services.map((service) => (
              <Badge key={service} variant="secondary" className="font-mono font-normal">
                {service}
              </Badge>
            ))}
          </dd>
        </div>
      </dl>
      <div className="grid gap-2">
        <div className="flex items-center justify-between gap-2">
          <h3 className="text-sm font-medium">
            <code className="font-mono">docker compose config</code> on {hostName}
          </h3>
          <CopyButton value={preview.merged} label="Copy the merged config">
            Copy
          </CopyButton>
        </div>
        <CodeEditor key={preview.merged} value={preview.merged} readOnly label={`Merged compose config on ${hostName}`} className="h-[32rem]" />
        <p className="text-xs text-muted-foreground">Exactly what compose printed on the host; secret values are replaced by [secret].</p>
      </div>
      {preview.limitsOverride ? (
        <details className="group rounded-lg border">
          <summary className="cursor-pointer px-4 py-2.5 text-sm font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
            Generated runtime-limits override (<code className="font-mono text-xs">wharf.limits.yaml</code>, the last -f)
          </summary>
          <pre className="overflow-x-auto border-t bg-muted/40 p-4 font-mono text-xs">{preview.limitsOverride}</pre>
        </details>
      ) : null}
    </div>
  );
}

export function PreviewTab({ stack, draft }: { stack: StackDetail; draft: StackDraftState }) {
  const trpc = useTRPC();
  const canWrite = useCan("stack:write");
  const [hostId, setHostId] = useState(stack.targets[0]?.host.id ?? "");
  const [source, setSource] = useState<"saved" | "draft">("saved");
  const latest = stack.latestRevision;
  const host = stack.targets.find((target) => target.host.id === hostId)?.host ?? stack.targets[0]?.host;
  // A new stack has no saved revision: its draft, even untouched, is what there is to preview (for who may edit it).
  const draftAvailable = canWrite && (draft.dirty || !latest);
  const showDraft = draftAvailable && (source === "draft" || !latest);
  const saved = useQuery(trpc.stack.preview.queryOptions({ stackId: stack.id, hostId: host?.id ?? "" }, { enabled: Boolean(host && latest) && !showDraft }));
  const unsaved = useMutation(trpc.stack.previewDraft.mutationOptions());

  if (!host) {
    return <EmptyState icon={ServerIcon} title="No target host yet" description="The preview is what compose prints on a host: add one with “Edit hosts” above." />;
  }

  const previewDraft = (): void => unsaved.mutate({ stackId: stack.id, hostId: host.id, ...draftToInput(draft.draft).input });
  const result = showDraft ? unsaved.data : saved.data;
  const error = showDraft ? unsaved.error : saved.error;
  const pending = showDraft ? unsaved.isPending : saved.isFetching;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="grid gap-1.5 text-sm font-medium">
          Host
          <TargetHostSelect targets={stack.targets} value={host.id} onValueChange={setHostId} className="w-48" />
        </label>
        <label className="grid gap-1.5 text-sm font-medium">
          Files
          <NativeSelect value={showDraft ? "draft" : "saved"} onChange={(event) => setSource(event.target.value === "draft" ? "draft" : "saved")} className="w-60">
            <option value="saved" disabled={!latest}>
              {latest ? `Revision #${latest.number} (latest saved)` : "No saved revision yet"}
            </option>
            {canWrite ? (
              <option value="draft" disabled={!draftAvailable}>
                Unsaved changes{draftAvailable ? "" : " (none)"}
              </option>
            ) : null}
          </NativeSelect>
        </label>
        <Button variant="outline" onClick={() => (showDraft ? previewDraft() : void saved.refetch())} disabled={pending || (!showDraft && !latest)}>
          {pending ? <Spinner /> : <RefreshCwIcon aria-hidden />}
          {showDraft ? "Preview changes" : "Refresh"}
        </Button>
      </div>

      <ErrorAlert error={error} title="The preview could not be made" />
      {!latest && !showDraft ? (
        <EmptyState icon={FileWarningIcon} title="Nothing saved yet" description="Save a revision in the Files tab, or preview your unsaved changes." />
      ) : showDraft && !unsaved.data && !unsaved.isPending ? (
        <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
          Press “Preview changes” to run <code className="font-mono">docker compose config</code> on {host.name} with your unsaved files.
        </p>
      ) : pending && !result ? (
        <div className="grid gap-3" aria-busy="true" aria-label="Loading the preview">
          <Skeleton className="h-10" />
          <Skeleton className="h-96" />
        </div>
      ) : result ? (
        <PreviewResult preview={result} hostName={host.name} />
      ) : null}
    </div>
  );
}
