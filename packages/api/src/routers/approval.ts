import { z } from "zod";

import { decideInput, decideRequest, getRequest, listRequests, listRequestsInput, requestApproval } from "../services/approvals";
import { actorFor } from "../services/audit";
import { startDeploymentInput } from "../services/deployments";
import { getProtection, protectionScopeInput, setProtection, setProtectionInput } from "../services/protection";
import { router, teamProcedure } from "../trpc";

const readRequests = teamProcedure.meta({ permission: "stack:read", resource: "team" });

export const approvalRouter = router({
  /** A deploy, redeploy, rollback or down on hosts of a protected environment, as a request for approval. */
  request: teamProcedure
    .meta({ permission: "stack:deploy", resource: "stack" })
    .input(startDeploymentInput)
    .mutation(async ({ ctx, input }) => requestApproval(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  decide: teamProcedure
    .meta({ permission: "deployment:approve", resource: "approval" })
    .input(decideInput)
    .mutation(async ({ ctx, input }) => decideRequest(ctx.deps, ctx.team.id, { ...(await actorFor(ctx)), id: ctx.session.userId }, input)),
  list: readRequests.input(listRequestsInput).query(({ ctx, input }) => listRequests(ctx.deps, ctx.team.id, input)),
  byId: teamProcedure.meta({ permission: "stack:read", resource: "approval" }).input(z.object({ requestId: z.string().min(1) })).query(({ ctx, input }) => getRequest(ctx.deps, ctx.team.id, input.requestId)),
  protection: teamProcedure.meta({ permission: "team:read", resource: "environment" }).input(protectionScopeInput).query(({ ctx, input }) => getProtection(ctx.deps, ctx.team.id, input)),
  setProtection: teamProcedure
    .meta({ permission: "policy:manage", resource: "environment" })
    .input(setProtectionInput)
    .mutation(async ({ ctx, input }) => setProtection(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
});
