import { Badge, type BadgeVariant } from "~/components/ui/badge";

const STATE_VARIANT: Record<string, BadgeVariant> = {
  running: "success",
  restarting: "warning",
  paused: "info",
  exited: "secondary",
  created: "outline",
  removing: "warning",
  dead: "destructive",
};

/** A container's state as Docker names it ("running", "exited", ...). */
export function ContainerStateBadge({ state }: { state: string }) {
  return <Badge variant={STATE_VARIANT[state] ?? "outline"}>{state}</Badge>;
}
