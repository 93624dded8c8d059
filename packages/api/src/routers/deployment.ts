import { z } from "zod";

import { cancelOutput, jobListOutput, jobOutput, jobPageOutput, restOutput } from "../lib/rest-outputs";
import { actorFor } from "../services/audit";
import { getPushPlan, listBuilds, listBuildsInput, pushPlanInput } from "../services/builds";
import {
  cancelDeployment,
  deploymentOutputInput,
  getDeployment,
  listDeployments,
  listDeploymentsInput,
  openDeploymentOutput,
  startDeployment,
  startDeploymentInput,
} from "../services/deployments";
import { router, teamProcedure, trackedEvents } from "../trpc";

const readDeployment = teamProcedure.meta({ permission: "stack:read", resource: "deployment" });
const readStack = teamProcedure.meta({ permission: "stack:read", resource: "stack" });
const deploymentRef = z.object({ deploymentId: z.string().min(1) });

export const deploymentRouter = router({
  start: teamProcedure
    .meta({
      permission: "stack:deploy",
      resource: "stack",
      openapi: {
        method: "POST",
        path: "/stacks/{stackId}/jobs",
        tags: ["jobs"],
        summary: "Deploy, redeploy, roll back, take down... (action); send an Idempotency-Key header to make retries safe",
      },
    })
    .input(startDeploymentInput)
    .output(restOutput(jobListOutput).of<Awaited<ReturnType<typeof startDeployment>>>())
    .mutation(async ({ ctx, input }) => startDeployment(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  cancel: teamProcedure
    .meta({ permission: "stack:deploy", resource: "deployment", openapi: { method: "POST", path: "/jobs/{deploymentId}/cancel", tags: ["jobs"], summary: "Cancel a queued or running job" } })
    .input(deploymentRef)
    .output(restOutput(cancelOutput).of<Awaited<ReturnType<typeof cancelDeployment>>>())
    .mutation(async ({ ctx, input }) => cancelDeployment(ctx.deps, ctx.team.id, await actorFor(ctx), input.deploymentId)),
  list: teamProcedure
    .meta({ permission: "stack:read", resource: "team", openapi: { method: "GET", path: "/jobs", tags: ["jobs"], summary: "Jobs, newest first (cursor = the last job id of the previous page)" } })
    .input(listDeploymentsInput)
    .output(restOutput(jobPageOutput).of<Awaited<ReturnType<typeof listDeployments>>>())
    .query(({ ctx, input }) => listDeployments(ctx.deps, ctx.team.id, input)),
  byId: readDeployment
    .meta({ openapi: { method: "GET", path: "/jobs/{deploymentId}", tags: ["jobs"], summary: "One job and its status" } })
    .input(deploymentRef)
    .output(restOutput(jobOutput).of<Awaited<ReturnType<typeof getDeployment>>>())
    .query(({ ctx, input }) => getDeployment(ctx.deps, ctx.team.id, input.deploymentId)),
  /** The stack's builds (build, build and push, Dockerfile build), newest first, with the images they wrote. */
  builds: readStack.input(listBuildsInput).query(({ ctx, input }) => listBuilds(ctx.deps, ctx.team.id, input)),
  /** Which services a build and push would push to which registry, and why the others would not. */
  pushPlan: readStack.input(pushPlanInput).query(({ ctx, input }) => getPushPlan(ctx.deps, ctx.team.id, input)),
  /** Stored lines from `afterSeq` (or `lastEventId`), then live ones; ends after the job's final status. */
  output: readDeployment
    .input(deploymentOutputInput)
    .subscription(async ({ ctx, input, signal }) => trackedEvents(await openDeploymentOutput(ctx.deps, ctx.team.id, input, signal), (event) => String(event.lastSeq))),
});
