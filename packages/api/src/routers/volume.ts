import { actorFor } from "../services/audit";
import { browseVolume, browseVolumeInput, readVolumeFile, readVolumeFileInput } from "../services/volume-files";
import { createVolume, createVolumeInput, listVolumeUsage, pruneVolumes, pruneVolumesInput, removeVolume, volumeInput } from "../services/volumes";
import { hostProcedure, router } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });
// Audited reads, hence mutations (like container.revealEnv).
const browse = hostProcedure.meta({ permission: "volume:browse", resource: "host" });

export const volumeRouter = router({
  usage: readHost.query(({ ctx }) => listVolumeUsage(ctx.deps, ctx.host)),
  create: writeHost.input(createVolumeInput).mutation(async ({ ctx, input }) => createVolume(ctx.deps, ctx.host, await actorFor(ctx), input)),
  remove: writeHost.input(volumeInput).mutation(async ({ ctx, input }) => removeVolume(ctx.deps, ctx.host, await actorFor(ctx), input.name)),
  browse: browse.input(browseVolumeInput).mutation(async ({ ctx, input }) => browseVolume(ctx.deps, ctx.host, await actorFor(ctx), input)),
  readFile: browse.input(readVolumeFileInput).mutation(async ({ ctx, input }) => readVolumeFile(ctx.deps, ctx.host, await actorFor(ctx), input)),
  prune: writeHost.input(pruneVolumesInput).mutation(async ({ ctx, input }) => pruneVolumes(ctx.deps, ctx.host, await actorFor(ctx), input)),
});
