import { actorFor } from "../services/audit";
import { pushImage, pushImageInput } from "../services/image-push";
import {
  createRegistry,
  createRegistryInput,
  listRegistries,
  registryIdInput,
  removeRegistry,
  testRegistry,
  updateRegistry,
  updateRegistryInput,
} from "../services/registries";
import { hostProcedure, mapStreamErrors, router, teamProcedure } from "../trpc";

export const registryRouter = router({
  list: teamProcedure.meta({ permission: "registry:read", resource: "team" }).query(({ ctx }) => listRegistries(ctx.deps, ctx.team.id)),
  create: teamProcedure
    .meta({ permission: "registry:manage", resource: "team" })
    .input(createRegistryInput)
    .mutation(async ({ ctx, input }) => createRegistry(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  update: teamProcedure
    .meta({ permission: "registry:manage", resource: "team" })
    .input(updateRegistryInput)
    .mutation(async ({ ctx, input }) => updateRegistry(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: teamProcedure
    .meta({ permission: "registry:manage", resource: "team" })
    .input(registryIdInput)
    .mutation(async ({ ctx, input }) => removeRegistry(ctx.deps, ctx.team.id, await actorFor(ctx), input.registryId)),
  /** A mutation: it logs in for real (and may fetch an ECR token). */
  test: teamProcedure
    .meta({ permission: "registry:manage", resource: "team" })
    .input(registryIdInput)
    .mutation(({ ctx, input }) => testRegistry(ctx.deps, ctx.team.id, input.registryId)),
  push: hostProcedure
    .meta({ permission: "stack:deploy", resource: "host" })
    .input(pushImageInput)
    .subscription(async ({ ctx, input, signal }) => mapStreamErrors(pushImage(ctx.deps, ctx.host, await actorFor(ctx), input, signal))),
});
