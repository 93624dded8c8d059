import { apiTokenRef, createApiToken, createApiTokenInput, listApiTokens, revokeApiToken } from "../services/api-tokens";
import { actorFor } from "../services/audit";
import { router, teamProcedure } from "../trpc";

const manageTokens = teamProcedure.meta({ permission: "token:manage", resource: "team" });

export const apiTokenRouter = router({
  list: manageTokens.query(({ ctx }) => listApiTokens(ctx.deps, ctx.team.id)),
  /** Returns the secret once; only its hash is kept. */
  create: manageTokens.input(createApiTokenInput).mutation(async ({ ctx, input }) => {
    return createApiToken(ctx.deps, ctx.team.id, { ...(await actorFor(ctx)), id: ctx.session.userId }, input);
  }),
  revoke: manageTokens.input(apiTokenRef).mutation(async ({ ctx, input }) => revokeApiToken(ctx.deps, ctx.team.id, await actorFor(ctx), input.tokenId)),
});
