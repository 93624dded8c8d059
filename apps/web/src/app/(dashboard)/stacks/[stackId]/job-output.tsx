"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { DeploymentStatus } from "@wharf/db";
import { SquareIcon, WifiOffIcon } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";

import { DeploymentStatusBadge, isActive } from "~/components/deployment-status-badge";
import { useCan } from "~/components/me-context";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { errorMessage } from "~/lib/errors";
import { cn } from "~/lib/utils";
import { useTRPC } from "~/trpc/react";

type OutputLine = { seq: number; stream: string; text: string };
interface JobState {
  status: DeploymentStatus | null;
  error: string | null;
  exitCode: number | null;
}

// compose writes its progress to stderr: only Wharf's own lines stand out.
const STREAM_CLASS: Record<string, string> = {
  stderr: "text-zinc-300",
  wharf: "text-sky-300",
};

/**
 * A job's output as it happens, like a terminal: the stored lines replayed,
 * then live ones (the subscription resumes after the last line it got when
 * the connection drops). Ends with the job's final status.
 */
export function JobOutput({
  deploymentId,
  title,
  heading: Heading = "h4",
  className,
}: {
  deploymentId: string;
  title: string;
  /** One level below the heading the output sits under. */
  heading?: "h3" | "h4";
  className?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canDeploy = useCan("stack:deploy");
  const [lines, setLines] = useState<OutputLine[]>([]);
  const [job, setJob] = useState<JobState>({ status: null, error: null, exitCode: null });
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const cancel = useMutation(trpc.deployment.cancel.mutationOptions());

  const subscription = useSubscription(
    trpc.deployment.output.subscriptionOptions(
      { deploymentId },
      {
        onData: ({ data }) => {
          if (data.type === "lines") setLines((previous) => [...previous, ...data.lines]);
          else {
            setJob({ status: data.status, error: data.error, exitCode: data.exitCode });
            // Status, deployed revision and containers change with the job: refresh what shows them.
            if (!isActive(data.status)) void queryClient.invalidateQueries(trpc.stack.pathFilter());
            void queryClient.invalidateQueries(trpc.deployment.pathFilter());
          }
        },
      },
    ),
  );

  useEffect(() => {
    const box = scrollRef.current;
    if (box && stick.current) box.scrollTop = box.scrollHeight;
  }, [lines]);

  const active = job.status !== null && isActive(job.status);
  // A refused job's error repeats the checks its output already lists ("a; b" over lines a and b): show it once.
  const errorInOutput = job.error !== null && lines.map((line) => line.text).join("; ").includes(job.error);
  const onCancel = async (): Promise<void> => {
    try {
      const result = await cancel.mutateAsync({ deploymentId });
      toast.info(result.status === "CANCELLED" ? "Cancelled before it started." : "Stopping the job…");
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };

  return (
    <section aria-label={title} className={cn("grid gap-2", className)}>
      <div className="flex flex-wrap items-center gap-2">
        <Heading className="text-sm font-medium">{title}</Heading>
        {/* Announces the job's progress and result; the lines themselves are the log below, announced politely too. */}
        <div role="status" aria-label={`Status of ${title}`} className="flex items-center gap-2">
          {job.status ? (
            <DeploymentStatusBadge status={job.status} />
          ) : (
            <>
              <Spinner className="size-3.5 text-muted-foreground" />
              <span className="sr-only">Starting…</span>
            </>
          )}
          {job.exitCode !== null && job.exitCode !== 0 ? <span className="text-xs text-muted-foreground">exit code {job.exitCode}</span> : null}
        </div>
        {subscription.status === "connecting" && subscription.error ? (
          <span className="flex items-center gap-1 text-xs text-warning">
            <WifiOffIcon aria-hidden className="size-3.5" />
            Reconnecting…
          </span>
        ) : null}
        {active && canDeploy ? (
          <Button size="sm" variant="outline" className="ml-auto" onClick={() => void onCancel()} disabled={cancel.isPending}>
            {cancel.isPending ? <Spinner /> : <SquareIcon aria-hidden />}
            Cancel
          </Button>
        ) : null}
      </div>
      <div
        ref={scrollRef}
        onScroll={(event) => {
          const box = event.currentTarget;
          // Follows new lines while scrolled to the bottom; reading older ones stops that.
          stick.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
        }}
        role="log"
        aria-live="polite"
        aria-label={`Output of ${title}`}
        tabIndex={0}
        className="max-h-80 min-h-24 overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 p-3 font-mono text-xs leading-relaxed text-zinc-100 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {lines.length === 0 ? (
          <p className="text-zinc-400">{job.status && !active ? "No output." : "Waiting for output…"}</p>
        ) : (
          lines.map((line) => (
            <div key={line.seq} className={cn("break-all whitespace-pre-wrap", STREAM_CLASS[line.stream])}>
              {line.text || " "}
            </div>
          ))
        )}
        {job.error && job.status && !active && !errorInOutput ? <div className="mt-1 text-red-400">{job.error}</div> : null}
      </div>
      {subscription.status === "error" ? <p className="text-xs text-destructive">The output stream failed: {errorMessage(subscription.error)}</p> : null}
    </section>
  );
}
