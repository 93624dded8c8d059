import { dockerEventsInput, openDockerEvents } from "../services/docker-events";
import { hostProcedure, mapStreamErrors, router } from "../trpc";

export const dockerEventsRouter = router({
  live: hostProcedure
    .meta({ permission: "host:read", resource: "host" })
    .input(dockerEventsInput)
    .subscription(async ({ ctx, input, signal }) => mapStreamErrors(await openDockerEvents(ctx.deps, ctx.host, input, signal))),
});
