import { actorFor } from "../services/audit";
import { createVolume, createVolumeInput, listVolumeUsage, pruneVolumes, pruneVolumesInput, removeVolume, volumeInput } from "../services/volumes";
import { hostProcedure, router } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });

export const volumeRouter = router({
  usage: readHost.query(({ ctx }) => listVolumeUsage(ctx.deps, ctx.host)),
  create: writeHost.input(createVolumeInput).mutation(async ({ ctx, input }) => createVolume(ctx.deps, ctx.host, await actorFor(ctx), input)),
  remove: writeHost.input(volumeInput).mutation(async ({ ctx, input }) => removeVolume(ctx.deps, ctx.host, await actorFor(ctx), input.name)),
  prune: writeHost.input(pruneVolumesInput).mutation(async ({ ctx, input }) => pruneVolumes(ctx.deps, ctx.host, await actorFor(ctx), input)),
});
