import { actorFor } from "../services/audit";
import {
  connectNetwork,
  connectNetworkInput,
  createNetwork,
  createNetworkInput,
  disconnectNetwork,
  disconnectNetworkInput,
  listNetworkUsage,
  networkInput,
  removeNetwork,
} from "../services/networks";
import { hostProcedure, router } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });

export const networkRouter = router({
  usage: readHost.query(({ ctx }) => listNetworkUsage(ctx.deps, ctx.host)),
  create: writeHost.input(createNetworkInput).mutation(async ({ ctx, input }) => createNetwork(ctx.deps, ctx.host, await actorFor(ctx), input)),
  remove: writeHost.input(networkInput).mutation(async ({ ctx, input }) => removeNetwork(ctx.deps, ctx.host, await actorFor(ctx), input.network)),
  connect: writeHost.input(connectNetworkInput).mutation(async ({ ctx, input }) => connectNetwork(ctx.deps, ctx.host, await actorFor(ctx), input)),
  disconnect: writeHost.input(disconnectNetworkInput).mutation(async ({ ctx, input }) => disconnectNetwork(ctx.deps, ctx.host, await actorFor(ctx), input)),
});
