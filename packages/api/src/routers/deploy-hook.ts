import { actorFor } from "../services/audit";
import { deployHookRef, getDeployHook, revokeDeployHook, rotateDeployHook } from "../services/deploy-hooks";
import { router, teamProcedure } from "../trpc";

const manage = teamProcedure.meta({ permission: "deployhook:manage", resource: "stack" });

export const deployHookRouter = router({
  get: teamProcedure
    .meta({ permission: "stack:read", resource: "stack" })
    .input(deployHookRef)
    .query(({ ctx, input }) => getDeployHook(ctx.deps, ctx.team.id, input.stackId)),
  /** Creates the hook or replaces its secret; returns the secret this once. */
  rotate: manage.input(deployHookRef).mutation(async ({ ctx, input }) => {
    const actor = await actorFor(ctx);
    return rotateDeployHook(ctx.deps, ctx.team.id, { ...actor, id: ctx.session.userId }, input.stackId);
  }),
  revoke: manage.input(deployHookRef).mutation(async ({ ctx, input }) => revokeDeployHook(ctx.deps, ctx.team.id, await actorFor(ctx), input.stackId)),
});
