"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ContainerActionName } from "@wharf/agent-protocol";
import { PauseIcon, PlayIcon, RotateCwIcon, SkullIcon, SquareIcon, Trash2Icon } from "lucide-react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type BulkAction = ContainerActionName | "remove";
type Outcome = RouterOutputs["container"]["bulk"][number];

export interface ActionTarget {
  id: string;
  name: string;
  state: string;
}

const DONE: Record<BulkAction, string> = {
  start: "Started",
  stop: "Stopped",
  restart: "Restarted",
  kill: "Killed",
  pause: "Paused",
  unpause: "Unpaused",
  remove: "Removed",
};

/** One toast per action: what was done to which containers, and why each refusal happened. */
function report(action: BulkAction, outcomes: Outcome[]): void {
  const done = outcomes.filter((outcome) => outcome.ok);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (done.length > 0) toast.success(`${DONE[action]} ${done.map((outcome) => outcome.name).join(", ")}`);
  for (const outcome of failed) toast.error(`${outcome.containerId}: ${outcome.error}`);
}

function names(targets: ActionTarget[]): string {
  return targets.length === 1 ? (targets[0]?.name ?? "") : `${targets.length} containers`;
}

/**
 * Lifecycle actions on one container or a selection. Start, pause and unpause
 * run at once; stop, restart, kill and remove ask first. Each target's outcome
 * is reported on its own (one may be gone while the others are acted on).
 */
export function ContainerActions({ hostId, targets, onDone, size = "sm" }: { hostId: string; targets: ActionTarget[]; onDone?: () => void; size?: "sm" | "default" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [force, setForce] = useState(false);
  const [volumes, setVolumes] = useState(false);
  const bulk = useMutation(
    trpc.container.bulk.mutationOptions({
      onSuccess: (outcomes, input) => {
        report(input.action, outcomes);
        onDone?.();
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.host.containers.queryKey({ hostId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.container.byId.pathKey() });
      },
    }),
  );
  const run = (action: BulkAction): Promise<unknown> => bulk.mutateAsync({ hostId, containerIds: targets.map((target) => target.id), action, force, volumes });
  // The pressed button turns disabled while its action runs (and may stay so in the new state), which drops
  // keyboard focus to the page: once the action is over, focus goes back to the first button still usable.
  const group = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current || bulk.isPending) return;
    refocus.current = false;
    const active = document.activeElement;
    if (active === document.body || (active instanceof HTMLButtonElement && active.disabled)) group.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
  });
  const runNow = (action: BulkAction): void => {
    refocus.current = true;
    run(action).catch((error: unknown) => toast.error(errorMessage(error)));
  };
  const any = (test: (state: string) => boolean): boolean => targets.some((target) => test(target.state));
  const disabled = targets.length === 0 || bulk.isPending;
  const what = names(targets);

  const confirm = (action: BulkAction, icon: ReactNode, label: string, description: ReactNode, enabled: boolean, children?: ReactNode) => (
    <ConfirmDialog
      trigger={
        <Button size={size} variant="outline" disabled={disabled || !enabled}>
          {icon}
          {label}
        </Button>
      }
      title={`${label} ${what}?`}
      description={description}
      confirmLabel={label}
      pending={bulk.isPending}
      error={bulk.error}
      onConfirm={async () => {
        await run(action);
      }}
      onClosed={() => {
        bulk.reset();
        setForce(false);
        setVolumes(false);
      }}
    >
      {children}
    </ConfirmDialog>
  );

  return (
    <div ref={group} role="group" aria-label={`Actions on ${what || "the selected containers"}`} className="flex flex-wrap items-center gap-1.5">
      <Button size={size} variant="outline" disabled={disabled || !any((state) => state !== "running" && state !== "paused")} onClick={() => runNow("start")}>
        <PlayIcon aria-hidden />
        Start
      </Button>
      {confirm("stop", <SquareIcon aria-hidden />, "Stop", "Sends SIGTERM, then SIGKILL after the container's grace period. Its processes end.", any((state) => state === "running" || state === "paused" || state === "restarting"))}
      {confirm("restart", <RotateCwIcon aria-hidden />, "Restart", "Stops, then starts again: its processes restart and connections drop.", true)}
      {confirm("kill", <SkullIcon aria-hidden />, "Kill", "Sends SIGKILL: its processes end at once, without a chance to clean up.", any((state) => state === "running" || state === "paused" || state === "restarting"))}
      <Button size={size} variant="outline" disabled={disabled || !any((state) => state === "running")} onClick={() => runNow("pause")}>
        <PauseIcon aria-hidden />
        Pause
      </Button>
      <Button size={size} variant="outline" disabled={disabled || !any((state) => state === "paused")} onClick={() => runNow("unpause")}>
        <PlayIcon aria-hidden />
        Unpause
      </Button>
      {confirm(
        "remove",
        <Trash2Icon aria-hidden />,
        "Remove",
        "Deletes the container and its writable layer. Named volumes always stay.",
        true,
        <div className="grid gap-2 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" className="size-4 accent-primary" checked={force} onChange={(event) => setForce(event.target.checked)} />
            Also if running (kills it first)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" className="size-4 accent-primary" checked={volumes} onChange={(event) => setVolumes(event.target.checked)} />
            Also remove its anonymous volumes
          </label>
        </div>,
      )}
    </div>
  );
}
