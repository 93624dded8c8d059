import { actorFor } from "../services/audit";
import {
  bulkContainerActionInput,
  containerActionInput,
  containerInput,
  containerLogsInput,
  getContainer,
  openContainerLogs,
  removeContainer,
  removeContainerInput,
  revealContainerEnv,
  runBulkContainerAction,
  runContainerAction,
} from "../services/containers";
import { openTerminal, openTerminalInput, resizeTerminal, sendTerminalInput, terminalInputInput, terminalResizeInput } from "../services/terminals";
import { hostProcedure, mapStreamErrors, router, trackedEvents } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });
const terminal = hostProcedure.meta({ permission: "terminal:open", resource: "host" });
const readLogs = hostProcedure.meta({ permission: "logs:read", resource: "host" });

/** Any container of a host, Wharf's or not: its page, lifecycle actions, logs and a terminal. */
export const containerRouter = router({
  byId: readHost.input(containerInput).query(({ ctx, input }) => getContainer(ctx.deps, ctx.host, input.containerId)),
  /** Environment values (a stack's secrets excepted): audited, hence a mutation for host:write. */
  revealEnv: writeHost.input(containerInput).mutation(async ({ ctx, input }) => revealContainerEnv(ctx.deps, ctx.host, await actorFor(ctx), input.containerId)),
  action: writeHost.input(containerActionInput).mutation(async ({ ctx, input }) => runContainerAction(ctx.deps, ctx.host, await actorFor(ctx), input)),
  remove: writeHost.input(removeContainerInput).mutation(async ({ ctx, input }) => removeContainer(ctx.deps, ctx.host, await actorFor(ctx), input)),
  bulk: writeHost.input(bulkContainerActionInput).mutation(async ({ ctx, input }) => runBulkContainerAction(ctx.deps, ctx.host, await actorFor(ctx), input)),
  logs: readLogs
    .input(containerLogsInput)
    .subscription(async ({ ctx, input, signal }) => trackedEvents(await openContainerLogs(ctx.deps, ctx.host, input, signal), (event) => event.cursor)),
  terminal: terminal
    .input(openTerminalInput)
    .subscription(async ({ ctx, input, signal }) => mapStreamErrors(await openTerminal(ctx.deps, ctx.host, await actorFor(ctx), input, signal))),
  terminalInput: terminal.input(terminalInputInput).mutation(({ ctx, input }) => sendTerminalInput(ctx.deps, ctx.host, ctx.session.userId, input)),
  terminalResize: terminal.input(terminalResizeInput).mutation(({ ctx, input }) => resizeTerminal(ctx.deps, ctx.host, ctx.session.userId, input)),
});
