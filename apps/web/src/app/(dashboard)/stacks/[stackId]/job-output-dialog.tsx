"use client";

import type { DeploymentAction } from "@wharf/db";
import { ScrollTextIcon } from "lucide-react";
import Link from "next/link";

import { actionLabel } from "~/components/deployment-status-badge";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "~/components/ui/dialog";

import { JobOutput } from "./job-output";

export interface OutputJob {
  id: string;
  action: DeploymentAction;
  host: { name: string };
  revision: { number: number };
  requestedByLabel: string;
}

/** One job's full output, with who asked for it and a link to its audit entries; closed when `job` is null. */
export function JobOutputDialog({ job, onClose }: { job: OutputJob | null; onClose: () => void }) {
  return (
    <Dialog open={job !== null} onOpenChange={(next) => !next && onClose()}>
      <DialogContent className="sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>{job ? `${actionLabel(job.action)} on ${job.host.name}` : "Output"}</DialogTitle>
          <DialogDescription>
            Revision #{job?.revision.number}, requested by {job?.requestedByLabel}.{" "}
            {job ? (
              <Link href={`/audit?targetType=deployment&targetId=${encodeURIComponent(job.id)}`} className="inline-flex items-center gap-1 underline underline-offset-4">
                <ScrollTextIcon aria-hidden className="size-3.5" />
                Its audit log entries
              </Link>
            ) : null}
          </DialogDescription>
        </DialogHeader>
        {job ? <JobOutput deploymentId={job.id} title="Output" heading="h3" /> : null}
      </DialogContent>
    </Dialog>
  );
}
