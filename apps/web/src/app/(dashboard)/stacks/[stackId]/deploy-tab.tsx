"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeploymentAction } from "@wharf/db";
import {
  AlertCircleIcon,
  DownloadCloudIcon,
  HammerIcon,
  type LucideIcon,
  RefreshCwIcon,
  RocketIcon,
  RotateCwIcon,
  ServerIcon,
  ShieldAlertIcon,
  SquareIcon,
  UploadCloudIcon,
} from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { toast } from "sonner";

import { actionLabel, DeploymentStatusBadge, isActive } from "~/components/deployment-status-badge";
import { EmptyState } from "~/components/empty-state";
import { HostStatusBadge } from "~/components/host-status-badge";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "~/components/ui/card";
import { errorMessage, errorProblems, errorReason } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { BuildOptions, buildOptionsInput, NO_BUILD_OPTIONS } from "./build-options";
import { DockerfileBuildDialog } from "./dockerfile-build-dialog";
import { DownDialog } from "./down-dialog";
import { JobOutput } from "./job-output";
import type { StackDetail } from "./stack-draft";
import { useStartDeployment } from "./use-start-deployment";

type Target = StackDetail["targets"][number];
type PushPlan = RouterOutputs["deployment"]["pushPlan"];
type StartOptions = NonNullable<Parameters<ReturnType<typeof useStartDeployment>["mutateAsync"]>[0]["options"]>;

/** Why build and push has nothing to do, or null when some service qualifies. */
function nothingToPush(plan: PushPlan | undefined): string | null {
  if (!plan) return "Reading which services can be pushed…";
  if (plan.targets.length > 0) return null;
  return `No service can be built and pushed: each needs a build section and an image: in one of the team's registries. ${plan.skipped.map((entry) => `${entry.service}: ${entry.why}`).join(" ")}`;
}

interface Refusal {
  title: string;
  messages: string[];
}

/** They act on the containers a deploy made; the API refuses them where there are none. */
const CONTAINER_ACTIONS: DeploymentAction[] = ["REDEPLOY", "RESTART", "STOP", "DOWN"];
const NOT_DEPLOYED_HINT = "Not deployed on this host: nothing to act on. Deploy first.";

const ACTIONS: { action: Exclude<DeploymentAction, "DOWN" | "ROLLBACK">; icon: LucideIcon; hint: string }[] = [
  { action: "DEPLOY", icon: RocketIcon, hint: "Preflight, then compose up with the latest revision." },
  { action: "REDEPLOY", icon: RefreshCwIcon, hint: "Recreate the containers of the deployed revision." },
  { action: "RESTART", icon: RotateCwIcon, hint: "Restart the containers as they are." },
  { action: "STOP", icon: SquareIcon, hint: "Stop the containers, keeping them." },
  { action: "PULL", icon: DownloadCloudIcon, hint: "Pull the images of the latest revision." },
  { action: "BUILD", icon: HammerIcon, hint: "Build the images that have a build section." },
];

const REFUSAL_TITLES: Record<string, string> = {
  PREFLIGHT_FAILED: "Preflight refused: nothing was deployed",
  GUARDRAIL_VIOLATION: "The compose guardrails refused it: nothing was deployed",
  COMPOSE_INVALID: "compose rejected the files: nothing was deployed",
  NO_REVISION: "Nothing to deploy yet",
  JOB_ACTIVE: "Another job is running",
  NOT_DEPLOYED: "Not deployed on this host",
};

/** The messages of a refused start that concern `hostName` (preflight problems are located by host). */
function refusalFor(error: unknown, hostName: string): Refusal {
  const reason = errorReason(error) ?? "";
  const problems = errorProblems(error);
  const mine = problems.filter((problem) => problem.path[0] !== "preflight" || problem.path[1] === hostName);
  return {
    title: REFUSAL_TITLES[reason] ?? "The job could not start",
    messages: mine.length > 0 ? mine.map((problem) => (problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}` : problem.message)) : [errorMessage(error)],
  };
}

function TargetCard({ stack, target, plan }: { stack: StackDetail; target: Target; plan: PushPlan | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canDeploy = useCan("stack:deploy");
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [buildOptions, setBuildOptions] = useState(NO_BUILD_OPTIONS);
  const refusalRef = useRef<HTMLDivElement>(null);
  const start = useStartDeployment();
  const last = target.lastDeployment;
  const busy = start.isPending || (last !== null && isActive(last.status));
  const notDeployedId = useId();
  const pushPlanId = useId();
  const pushBlocked = nothingToPush(plan);

  // A refusal is the outcome the user waits for: take them to it.
  useEffect(() => {
    if (refusal) refusalRef.current?.focus();
  }, [refusal]);

  const run = async (action: DeploymentAction, options: StartOptions = {}): Promise<boolean> => {
    setRefusal(null);
    const building = action === "BUILD" || action === "BUILD_PUSH" || action === "BUILD_FILE";
    try {
      await start.mutateAsync({ stackId: stack.id, action, hostIds: [target.host.id], options: building ? { ...buildOptionsInput(buildOptions), ...options } : options });
      // The new job becomes the host's last one: its output shows below once this refetch lands.
      await queryClient.invalidateQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
      return true;
    } catch (error) {
      setRefusal(refusalFor(error, target.host.name));
      // A refused deploy is recorded as a failed job with the checks as its output.
      await queryClient.invalidateQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
      return false;
    }
  };

  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1.5">
          <CardTitle as="h3" className="flex items-center gap-2">
            <ServerIcon aria-hidden className="size-4 text-muted-foreground" />
            {target.host.name}
            <HostStatusBadge status={target.host.status} />
          </CardTitle>
          <p className="text-sm text-muted-foreground">
            {target.deployed ? (
              <>
                Runs revision #{target.deployed.revisionNumber}, deployed <RelativeTime value={target.deployed.at} />
              </>
            ) : (
              "Not deployed"
            )}
            {target.overlay ? " · with a host overlay" : null}
          </p>
        </div>
        {last ? (
          <div className="grid justify-items-end gap-1 text-xs text-muted-foreground">
            <DeploymentStatusBadge status={last.status} action={last.action} />
            <span>
              revision #{last.revisionNumber}, <RelativeTime value={last.finishedAt ?? last.createdAt} />
            </span>
          </div>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-4">
        {canDeploy ? (
          <div role="group" aria-label={`Actions on ${target.host.name}`} className="flex flex-wrap gap-2">
            {ACTIONS.map(({ action, icon: Icon, hint }) => {
              const nothingThere = CONTAINER_ACTIONS.includes(action) && !target.hasContainers;
              return (
                <Button
                  key={action}
                  size="sm"
                  variant={action === "DEPLOY" ? "default" : "outline"}
                  title={nothingThere ? NOT_DEPLOYED_HINT : hint}
                  disabled={busy || !stack.latestRevision || nothingThere}
                  aria-describedby={nothingThere ? notDeployedId : undefined}
                  onClick={() => void run(action)}
                >
                  {start.isPending && start.variables.action === action ? <Spinner /> : <Icon aria-hidden />}
                  {actionLabel(action)}
                </Button>
              );
            })}
            <Button
              size="sm"
              variant="outline"
              title={pushBlocked ?? "Build the services whose image names one of the team's registries, then push each there."}
              disabled={busy || !stack.latestRevision || pushBlocked !== null}
              aria-describedby={pushPlanId}
              onClick={() => void run("BUILD_PUSH")}
            >
              {start.isPending && start.variables.action === "BUILD_PUSH" ? <Spinner /> : <UploadCloudIcon aria-hidden />}
              {actionLabel("BUILD_PUSH")}
            </Button>
            <DockerfileBuildDialog
              hostName={target.host.name}
              paths={stack.latestRevision?.tree.map((file) => file.path) ?? []}
              disabled={busy || !stack.latestRevision}
              pending={start.isPending}
              onConfirm={(build) => run("BUILD_FILE", build)}
            />
            <DownDialog
              stackName={stack.name}
              hostName={target.host.name}
              disabled={busy || !stack.latestRevision || !target.hasContainers}
              pending={start.isPending}
              onConfirm={({ volumes }) => run("DOWN", volumes ? { volumes: true, confirm: stack.name } : {})}
            />
            <BuildOptions hostName={target.host.name} value={buildOptions} onChange={setBuildOptions} />
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">Your role can watch deployments but not start them.</p>
        )}
        {canDeploy && plan ? (
          <p id={pushPlanId} className="text-sm text-muted-foreground">
            {plan.targets.length > 0 ? (
              <>
                Build and push: {plan.targets.map((entry) => `${entry.service} → ${entry.registryName} (${entry.repository}:${entry.tag})`).join(", ")}
                {plan.skipped.length > 0 ? `; skips ${plan.skipped.map((entry) => entry.service).join(", ")}.` : "."}
              </>
            ) : (
              pushBlocked
            )}
          </p>
        ) : null}
        {canDeploy && !target.hasContainers ? (
          <p id={notDeployedId} className="text-sm text-muted-foreground">
            {stack.name} is not deployed on {target.host.name}, so redeploy, restart, stop and down have nothing to act on there. Deploy it first.
          </p>
        ) : null}
        {refusal ? (
          <Alert ref={refusalRef} variant="destructive" tabIndex={-1} className="outline-none">
            <ShieldAlertIcon aria-hidden />
            <AlertTitle>{refusal.title}</AlertTitle>
            <AlertDescription>
              <ul className="list-disc space-y-1 pl-4">
                {refusal.messages.map((message, index) => (
                  <li key={index}>{message}</li>
                ))}
              </ul>
            </AlertDescription>
          </Alert>
        ) : null}
        {last ? <JobOutput key={last.id} deploymentId={last.id} title={`${actionLabel(last.action)} of revision #${last.revisionNumber}`} /> : null}
      </CardContent>
    </Card>
  );
}

export function DeployTab({ stack }: { stack: StackDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canDeploy = useCan("stack:deploy");
  const startAll = useStartDeployment();
  const anyActive = stack.targets.some((target) => target.lastDeployment && isActive(target.lastDeployment.status));
  const revisionNumber = stack.latestRevision?.number;
  const plan = useQuery(trpc.deployment.pushPlan.queryOptions({ stackId: stack.id, revisionNumber }, { enabled: canDeploy && revisionNumber !== undefined }));

  if (stack.targets.length === 0) {
    return <EmptyState icon={ServerIcon} title="No target host yet" description="Add a host with “Edit hosts” above, then deploy to it from here." />;
  }

  const deployAll = async (): Promise<void> => {
    try {
      const { jobs, request } = await startAll.mutateAsync({ stackId: stack.id, action: "DEPLOY" });
      if (!request) toast.success(`Deploying to ${jobs.length} hosts, one after another`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await queryClient.invalidateQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
    }
  };

  return (
    <div className="grid gap-4">
      {!stack.latestRevision ? (
        <Alert variant="warning">
          <AlertCircleIcon aria-hidden />
          <AlertTitle>Nothing to deploy yet</AlertTitle>
          <AlertDescription className="text-foreground/80">Save the stack&apos;s files as a revision first (Files tab).</AlertDescription>
        </Alert>
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm text-muted-foreground">
            Deploy runs preflight on the host (images, limits it can grant), then <code className="font-mono text-xs">compose up</code> with revision #
            {stack.latestRevision.number}.
          </p>
          {canDeploy && stack.targets.length > 1 ? (
            <Button variant="outline" size="sm" onClick={() => void deployAll()} disabled={startAll.isPending || anyActive}>
              {startAll.isPending ? <Spinner /> : <RocketIcon aria-hidden />}
              Deploy to all {stack.targets.length} hosts
            </Button>
          ) : null}
        </div>
      )}
      {stack.targets.map((target) => (
        <TargetCard key={target.host.id} stack={stack} target={target} plan={plan.data} />
      ))}
    </div>
  );
}
