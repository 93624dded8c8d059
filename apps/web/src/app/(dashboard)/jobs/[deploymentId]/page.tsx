import { notFound, redirect } from "next/navigation";

import { getCaller } from "~/trpc/server";

/** A job's own address (the audit log links here): its output on its stack's history tab. */
export default async function JobPage({ params }: { params: Promise<{ deploymentId: string }> }) {
  const { deploymentId } = await params;
  const job = await (await getCaller()).deployment.byId({ deploymentId }).catch(() => null);
  if (!job) notFound();
  redirect(`/stacks/${job.stack.id}?tab=history&job=${encodeURIComponent(job.id)}`);
}
