"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertCircleIcon, ArrowLeftIcon } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useState } from "react";

import { DeploymentStatusBadge } from "~/components/deployment-status-badge";
import { HostStatusBadge } from "~/components/host-status-badge";
import { useCan, useMe } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Separator } from "~/components/ui/separator";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "~/components/ui/tabs";
import { useLeaveWarning } from "~/components/use-leave-warning";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import { ApprovalsTab } from "./approvals-tab";
import { DeployHookCard } from "./deploy-hook-card";
import { DeployTab } from "./deploy-tab";
import { draftStorageKey } from "./draft-storage";
import { FilesTab } from "./files-tab";
import { HistoryTab } from "./history-tab";
import { LogsTab } from "./logs-tab";
import { PreviewTab } from "./preview-tab";
import { RemoveStackDialog } from "./remove-stack-dialog";
import { type StackDetail } from "./stack-draft";
import { StatusTab } from "./status-tab";
import { TargetsDialog } from "./targets-dialog";
import { useStackDraft } from "./use-stack-draft";

const TABS = [
  "files",
  "preview",
  "deploy",
  "status",
  "logs",
  "history",
  "approvals",
] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = {
  files: "Files",
  preview: "Preview",
  deploy: "Deploy",
  status: "Status",
  logs: "Logs",
  history: "History",
  approvals: "Approvals",
};

const isTab = (value: string | null): value is Tab =>
  (TABS as readonly (string | null)[]).includes(value);

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="flex min-w-0 flex-wrap items-center gap-1.5 text-sm">
        {children}
      </dd>
    </div>
  );
}

function StackHeader({ stack }: { stack: StackDetail }) {
  const canWrite = useCan("stack:write");
  const revision = stack.latestRevision;
  return (
    <div className="grid gap-4">
      <Link
        href="/stacks"
        className="flex w-fit items-center gap-1.5 rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <ArrowLeftIcon aria-hidden className="size-4" />
        Stacks
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="grid gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">
            {stack.name}
          </h1>
          {stack.description ? (
            <p className="text-sm text-muted-foreground">{stack.description}</p>
          ) : null}
        </div>
        {canWrite ? (
          <div className="flex flex-wrap gap-2">
            <TargetsDialog stack={stack} />
            <RemoveStackDialog stack={stack} />
          </div>
        ) : null}
      </div>
      <dl className="grid gap-x-8 gap-y-3 sm:grid-cols-2 lg:grid-cols-[auto_1fr]">
        <Meta label="Latest revision">
          {revision ? (
            <>
              <span className="tabular-nums">#{revision.number}</span>
              <span className="text-muted-foreground">
                by {revision.authorLabel},{" "}
                <RelativeTime value={revision.createdAt} />
              </span>
            </>
          ) : (
            <span className="text-muted-foreground">
              none yet: save the files to create revision 1
            </span>
          )}
        </Meta>
        <Meta label="Hosts">
          {stack.targets.length === 0 ? (
            <span className="text-muted-foreground">none yet</span>
          ) : (
            stack.targets.map((target) => (
              <span
                key={target.host.id}
                className="flex items-center gap-1.5 rounded-md border px-2 py-0.5"
              >
                <span className="font-medium">{target.host.name}</span>
                <HostStatusBadge
                  status={target.host.status}
                  className="px-1.5"
                />
                {target.deployed ? (
                  <span className="text-xs text-muted-foreground tabular-nums">
                    runs #{target.deployed.revisionNumber}
                  </span>
                ) : null}
                {target.lastDeployment &&
                target.lastDeployment.status !== "SUCCEEDED" ? (
                  <DeploymentStatusBadge
                    status={target.lastDeployment.status}
                    action={target.lastDeployment.action}
                  />
                ) : null}
              </span>
            ))
          )}
        </Meta>
      </dl>
    </div>
  );
}

export function StackView({ stackId }: { stackId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  // Deploy statuses and revisions saved by others change behind the scenes.
  const query = useQuery(
    trpc.stack.byId.queryOptions({ stackId }, { refetchInterval: 5_000 }),
  );
  const requested = searchParams.get("tab");
  const [tab, setTab] = useState<Tab>(isTab(requested) ? requested : "files");
  const me = useMe();
  const canManageHook = useCan("deployhook:manage");
  // The merged config and the logs are rights of their own (stack:config, logs:read), not part of reading a stack.
  const canSee: Record<Tab, boolean> = { files: true, preview: useCan("stack:config"), deploy: true, status: true, logs: useCan("logs:read"), history: true, approvals: true };
  const draft = useStackDraft(query.data ?? null, draftStorageKey(me.user.id, stackId));
  useLeaveWarning(draft.dirty, "The stack's files have unsaved changes. Leave anyway? The draft stays in this browser, but secret values you typed are lost.");
  const stack = query.data;

  if (!stack) {
    return (
      <Alert variant="destructive">
        <AlertCircleIcon aria-hidden />
        <AlertTitle>The stack could not be loaded</AlertTitle>
        <AlertDescription>
          {query.error ? errorMessage(query.error) : "Loading…"}
        </AlertDescription>
      </Alert>
    );
  }

  const changeTab = (value: string): void => {
    if (!isTab(value)) return;
    setTab(value);
    // The tab is in the address so it survives a reload and can be linked to.
    const params = new URLSearchParams(searchParams.toString());
    params.set("tab", value);
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  };

  return (
    <div className="grid gap-6">
      <StackHeader stack={stack} />
      <Separator />
      {/* Each panel starts with its tab's name as an h2, so the panels' h3 sections sit under it, not under the stack's h1. */}
      <Tabs value={tab} onValueChange={changeTab} className="min-w-0">
        <TabsList className="max-w-full overflow-x-auto">
          {TABS.filter((value) => canSee[value]).map((value) => (
            <TabsTrigger key={value} value={value}>
              {TAB_LABELS[value]}
              {value === "files" && draft.dirty ? (
                <>
                  <span aria-hidden className="size-1.5 rounded-full bg-warning" />
                  <span className="sr-only">(unsaved changes)</span>
                </>
              ) : null}
            </TabsTrigger>
          ))}
        </TabsList>
        <TabsContent value="files">
          <h2 className="sr-only">{TAB_LABELS.files}</h2>
          <FilesTab stack={stack} draft={draft} />
        </TabsContent>
        {canSee.preview ? (
          <TabsContent value="preview">
            <h2 className="sr-only">{TAB_LABELS.preview}</h2>
            <PreviewTab stack={stack} draft={draft} />
          </TabsContent>
        ) : null}
        <TabsContent value="deploy">
          <h2 className="sr-only">{TAB_LABELS.deploy}</h2>
          <DeployTab stack={stack} />
          {canManageHook ? <DeployHookCard stackId={stack.id} stackName={stack.name} /> : null}
        </TabsContent>
        <TabsContent value="status">
          <h2 className="sr-only">{TAB_LABELS.status}</h2>
          <StatusTab stack={stack} />
        </TabsContent>
        {canSee.logs ? (
          <TabsContent value="logs">
            <h2 className="sr-only">{TAB_LABELS.logs}</h2>
            <LogsTab stack={stack} />
          </TabsContent>
        ) : null}
        <TabsContent value="history">
          <h2 className="sr-only">{TAB_LABELS.history}</h2>
          <HistoryTab stack={stack} />
        </TabsContent>
        <TabsContent value="approvals">
          <h2 className="sr-only">{TAB_LABELS.approvals}</h2>
          <ApprovalsTab stack={stack} />
        </TabsContent>
      </Tabs>
    </div>
  );
}
