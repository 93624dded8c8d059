import { actorFor } from "../services/audit";
import {
  createEnvironment,
  createEnvironmentInput,
  listEnvironments,
  removeEnvironment,
  removeEnvironmentInput,
  renameEnvironment,
  renameEnvironmentInput,
} from "../services/environments";
import { router, teamProcedure } from "../trpc";

// Environments are the scopes grants are limited to, so changing them is a team-wide action.
const manageEnvironments = teamProcedure.meta({ permission: "environment:manage", resource: "team" });

export const environmentRouter = router({
  list: teamProcedure.meta({ permission: "team:read", resource: "team" }).query(({ ctx }) => listEnvironments(ctx.deps, ctx.team.id)),
  create: manageEnvironments
    .input(createEnvironmentInput)
    .mutation(async ({ ctx, input }) => createEnvironment(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  rename: manageEnvironments
    .input(renameEnvironmentInput)
    .mutation(async ({ ctx, input }) => renameEnvironment(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: manageEnvironments
    .input(removeEnvironmentInput)
    .mutation(async ({ ctx, input }) => removeEnvironment(ctx.deps, ctx.team.id, await actorFor(ctx), input.environmentId)),
});
