import { publicProcedure, router } from "../trpc";

export const healthRouter = router({
  check: publicProcedure.query(async ({ ctx }) => {
    await ctx.deps.db.$queryRaw`SELECT 1`;
    return { ok: true as const, agentVersion: ctx.deps.agents.bundle.version };
  }),
});
