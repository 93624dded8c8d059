import { z } from "zod";

import { actorFor } from "../services/audit";
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
const deploymentRef = z.object({ deploymentId: z.string().min(1) });

export const deploymentRouter = router({
  start: teamProcedure
    .meta({ permission: "stack:deploy", resource: "stack" })
    .input(startDeploymentInput)
    .mutation(async ({ ctx, input }) => startDeployment(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  cancel: teamProcedure
    .meta({ permission: "stack:deploy", resource: "deployment" })
    .input(deploymentRef)
    .mutation(async ({ ctx, input }) => cancelDeployment(ctx.deps, ctx.team.id, await actorFor(ctx), input.deploymentId)),
  list: teamProcedure.meta({ permission: "stack:read", resource: "team" }).input(listDeploymentsInput).query(({ ctx, input }) => listDeployments(ctx.deps, ctx.team.id, input)),
  byId: readDeployment.input(deploymentRef).query(({ ctx, input }) => getDeployment(ctx.deps, ctx.team.id, input.deploymentId)),
  /** Stored lines from `afterSeq` (or `lastEventId`), then live ones; ends after the job's final status. */
  output: readDeployment
    .input(deploymentOutputInput)
    .subscription(async ({ ctx, input, signal }) => trackedEvents(await openDeploymentOutput(ctx.deps, ctx.team.id, input, signal), (event) => String(event.lastSeq))),
});
