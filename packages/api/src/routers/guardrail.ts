import { z } from "zod";

import { actorFor } from "../services/audit";
import {
  getPolicy,
  grantException,
  grantExceptionInput,
  listExceptions,
  policyScopeInput,
  revokeException,
  revokeExceptionInput,
  setPolicy,
  setPolicyInput,
} from "../services/guardrails";
import { router, teamProcedure } from "../trpc";

const readPolicy = teamProcedure.meta({ permission: "stack:read", resource: "environment" });
const managePolicy = teamProcedure.meta({ permission: "policy:manage", resource: "environment" });
const readExceptions = teamProcedure.meta({ permission: "stack:read", resource: "stack" });
const manageExceptions = teamProcedure.meta({ permission: "policy:manage", resource: "stack" });

export const guardrailRouter = router({
  /** The policy in force for the team (environmentId null) or one environment, and where it comes from. */
  policy: readPolicy.input(policyScopeInput).query(({ ctx, input }) => getPolicy(ctx.deps, ctx.team.id, input)),
  setPolicy: managePolicy.input(setPolicyInput).mutation(async ({ ctx, input }) => setPolicy(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  exceptions: readExceptions.input(z.object({ stackId: z.string().min(1) })).query(({ ctx, input }) => listExceptions(ctx.deps, ctx.team.id, input.stackId)),
  grantException: manageExceptions
    .input(grantExceptionInput)
    .mutation(async ({ ctx, input }) => grantException(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  revokeException: manageExceptions
    .input(revokeExceptionInput)
    .mutation(async ({ ctx, input }) => revokeException(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
});
