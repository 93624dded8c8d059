import type { HostStatus } from "@wharf/db";

import { Badge, type BadgeVariant } from "~/components/ui/badge";
import { cn } from "~/lib/utils";

const STATUS: Record<HostStatus, { label: string; variant: BadgeVariant; dot: string }> = {
  ONLINE: { label: "Online", variant: "success", dot: "bg-success" },
  OFFLINE: { label: "Offline", variant: "warning", dot: "bg-warning" },
  ERROR: { label: "Error", variant: "destructive", dot: "bg-destructive" },
  PENDING: { label: "Pending", variant: "secondary", dot: "bg-muted-foreground" },
};

export function hostStatusLabel(status: HostStatus): string {
  return STATUS[status].label;
}

export function HostStatusBadge({ status, className }: { status: HostStatus; className?: string }) {
  const { label, variant, dot } = STATUS[status];
  return (
    <Badge variant={variant} className={className}>
      <span aria-hidden className={cn("size-1.5 rounded-full", dot, status === "ONLINE" && "shadow-[0_0_0_3px] shadow-success/20")} />
      {label}
    </Badge>
  );
}
