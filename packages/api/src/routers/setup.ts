import { completeSetup, completeSetupInput, needsSetup } from "../services/setup";
import { publicProcedure, router } from "../trpc";

export const setupRouter = router({
  status: publicProcedure.query(async ({ ctx }) => ({ needsSetup: await needsSetup(ctx.deps) })),
  complete: publicProcedure.input(completeSetupInput).mutation(({ ctx, input }) => completeSetup(ctx.deps, input)),
});
