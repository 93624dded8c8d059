import type { DeploymentAction } from "@wharf/db";
import Link from "next/link";

import { Spinner } from "~/components/spinner";
import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { cn } from "~/lib/utils";
import type { RouterOutputs } from "~/trpc/react";

export type HostStack = NonNullable<RouterOutputs["host"]["list"][number]["stacks"]>[number];
type StackState = HostStack["state"];

const STATE: Record<StackState, { label: string; variant: BadgeVariant; dot: string }> = {
  RUNNING: { label: "running", variant: "success", dot: "bg-success" },
  PARTIAL: { label: "partially running", variant: "warning", dot: "bg-warning" },
  STOPPED: { label: "stopped", variant: "secondary", dot: "bg-muted-foreground" },
  FAILED: { label: "failed", variant: "destructive", dot: "bg-destructive" },
  DEPLOYING: { label: "deploying", variant: "info", dot: "bg-info" },
  NOT_DEPLOYED: { label: "not deployed", variant: "outline", dot: "bg-border" },
};

/** The order states are counted in: what needs attention first. */
export const STATE_ORDER: StackState[] = ["FAILED", "PARTIAL", "DEPLOYING", "RUNNING", "STOPPED", "NOT_DEPLOYED"];

export function stateStyle(state: StackState): { label: string; dot: string } {
  return STATE[state];
}

const IN_PROGRESS: Record<DeploymentAction, string> = {
  DEPLOY: "deploying",
  REDEPLOY: "redeploying",
  ROLLBACK: "rolling back",
  RESTART: "restarting",
  STOP: "stopping",
  DOWN: "taking down",
  PULL: "pulling",
  BUILD: "building",
  BUILD_PUSH: "building and pushing",
  BUILD_FILE: "building a Dockerfile",
};

/** What the badge says after the stack's name, e.g. "partially running" or "rollback failed". */
export function stackStateLabel(stack: Pick<HostStack, "state" | "action">): string {
  if (stack.state === "DEPLOYING" && stack.action) return IN_PROGRESS[stack.action];
  if (stack.state === "FAILED" && stack.action) return `${stack.action.toLowerCase()} failed`;
  return STATE[stack.state].label;
}

/** A stack's name and its state on one host, linking to the stack; `stale` when that state is only the last one known. */
export function StackStateBadge({ stack, stale = false, className }: { stack: HostStack; stale?: boolean; className?: string }) {
  const { variant, dot } = STATE[stack.state];
  const label = stale ? `${stackStateLabel(stack)} (last known)` : stackStateLabel(stack);
  const containers = stack.containers ? `${stack.containers.running} of ${stack.containers.total} containers running` : undefined;
  return (
    // One accessible name, "shop: running": from its flex items alone Chromium makes "shop : running".
    // The space between the two spans makes the visible text "shop running", which that name contains.
    <Link href={`/stacks/${stack.id}`} aria-label={`${stack.name}: ${label}`} title={containers} className={cn("rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50", className)}>
      <Badge variant={variant} className="hover:underline">
        {stack.state === "DEPLOYING" ? <Spinner className="size-3" /> : <span aria-hidden className={cn("size-1.5 rounded-full", dot)} />}
        <span className="font-semibold">{stack.name}</span>{" "}
        <span className="font-normal">{label}</span>
      </Badge>
    </Link>
  );
}
