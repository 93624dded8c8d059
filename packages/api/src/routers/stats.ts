import { getHostUsage, watchHostStats } from "../services/live-stats";
import { hostProcedure, mapStreamErrors, router } from "../trpc";

export const statsRouter = router({
  /** The last 15 minutes, then live samples; one agent stream per host whoever watches. */
  usage: hostProcedure.meta({ permission: "host:read", resource: "host" }).query(({ ctx }) => getHostUsage(ctx.deps, ctx.host)),
  host: hostProcedure.meta({ permission: "host:read", resource: "host" }).subscription(({ ctx, signal }) => mapStreamErrors(watchHostStats(ctx.deps, ctx.host, signal))),
});
