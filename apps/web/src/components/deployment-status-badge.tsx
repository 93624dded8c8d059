import type { DeploymentAction, DeploymentStatus } from "@wharf/db";
import { CheckCircle2Icon, CircleDashedIcon, CircleSlashIcon, type LucideIcon, XCircleIcon } from "lucide-react";

import { Spinner } from "~/components/spinner";
import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { cn } from "~/lib/utils";

const STATUS: Record<DeploymentStatus, { label: string; variant: BadgeVariant; icon: LucideIcon | null }> = {
  QUEUED: { label: "Queued", variant: "secondary", icon: CircleDashedIcon },
  RUNNING: { label: "Running", variant: "info", icon: null },
  SUCCEEDED: { label: "Succeeded", variant: "success", icon: CheckCircle2Icon },
  FAILED: { label: "Failed", variant: "destructive", icon: XCircleIcon },
  CANCELLED: { label: "Cancelled", variant: "warning", icon: CircleSlashIcon },
};

const ACTION_LABELS: Record<DeploymentAction, string> = {
  DEPLOY: "Deploy",
  REDEPLOY: "Redeploy",
  RESTART: "Restart",
  STOP: "Stop",
  PULL: "Pull",
  BUILD: "Build",
  DOWN: "Down",
  ROLLBACK: "Rollback",
  BUILD_PUSH: "Build and push",
  BUILD_FILE: "Dockerfile build",
};

export function actionLabel(action: DeploymentAction): string {
  return ACTION_LABELS[action];
}

export function isActive(status: DeploymentStatus): boolean {
  return status === "QUEUED" || status === "RUNNING";
}

/** A job's status; with `action`, reads "Deploy succeeded" so a badge alone says what happened. */
export function DeploymentStatusBadge({ status, action, className }: { status: DeploymentStatus; action?: DeploymentAction; className?: string }) {
  const { label, variant, icon: Icon } = STATUS[status];
  return (
    <Badge variant={variant} className={cn(className)}>
      {Icon ? <Icon aria-hidden /> : <Spinner className="size-3" />}
      {action ? `${actionLabel(action)} ${label.toLowerCase()}` : label}
    </Badge>
  );
}
