import { actorFor } from "../services/audit";
import { imageInput, inspectImage, pruneImages, pruneImagesInput, pullImage, pullImageInput, removeImage } from "../services/images";
import { hostProcedure, mapStreamErrors, router } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });

export const imageRouter = router({
  inspect: readHost.input(imageInput).query(({ ctx, input }) => inspectImage(ctx.deps, ctx.host, input.image)),
  remove: writeHost.input(imageInput).mutation(async ({ ctx, input }) => removeImage(ctx.deps, ctx.host, await actorFor(ctx), input.image)),
  prune: writeHost.input(pruneImagesInput).mutation(async ({ ctx, input }) => pruneImages(ctx.deps, ctx.host, await actorFor(ctx), input)),
  /** Docker's progress, one event per layer update, then `done` with the image id. */
  pull: writeHost.input(pullImageInput).subscription(async function* ({ ctx, input, signal }) {
    yield* mapStreamErrors(pullImage(ctx.deps, ctx.host, await actorFor(ctx), input, { signal }));
  }),
});
