import { z } from "zod";

import { hostListOutput, restOutput } from "../lib/rest-outputs";
import { roleCan } from "../permissions";
import { actorFor } from "../services/audit";
import { setHostEnvironment, setHostEnvironmentInput } from "../services/environments";
import { acceptHostKey, acceptHostKeyInput, agentLog, agentLogInput, updateHost, updateHostInput } from "../services/host-changes";
import { removalPlan, removeHost, removeHostInput } from "../services/host-removal";
import {
  callAgent,
  createHost,
  createHostInput,
  getHost,
  listHosts,
  refreshHost,
  reinstallAgent,
  scanHostKeyForAdd,
  scanHostKeyInput,
  testConnection,
} from "../services/hosts";
import { hostProcedure, router, teamProcedure } from "../trpc";

const readHost = hostProcedure.meta({ permission: "host:read", resource: "host" });
const writeHost = hostProcedure.meta({ permission: "host:write", resource: "host" });

export const hostRouter = router({
  /** With each host's stacks and their state there, for callers allowed stack:read. */
  list: teamProcedure
    .meta({ permission: "host:read", resource: "team", openapi: { method: "GET", path: "/hosts", tags: ["hosts"], summary: "Hosts, with their stacks for callers allowed stack:read" } })
    .input(z.void())
    .output(restOutput(hostListOutput).of<Awaited<ReturnType<typeof listHosts>>>())
    .query(({ ctx }) => listHosts(ctx.deps, ctx.team.id, { stacks: roleCan(ctx.team.role, "stack:read") })),
  byId: readHost.query(({ ctx }) => getHost(ctx.deps, ctx.team.id, ctx.host.id)),
  scanHostKey: teamProcedure
    .meta({ permission: "host:write", resource: "environment" })
    .input(scanHostKeyInput)
    .mutation(({ input }) => scanHostKeyForAdd(input)),
  create: teamProcedure
    .meta({ permission: "host:write", resource: "environment" })
    .input(createHostInput)
    .mutation(async ({ ctx, input }) => createHost(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  testConnection: readHost.mutation(({ ctx }) => testConnection(ctx.deps, ctx.host)),
  refresh: readHost.mutation(async ({ ctx }) => ({ status: await refreshHost(ctx.deps, ctx.host) })),
  update: writeHost.input(updateHostInput).mutation(async ({ ctx, input }) => updateHost(ctx.deps, ctx.host, await actorFor(ctx), input)),
  acceptHostKey: writeHost
    .input(acceptHostKeyInput)
    .mutation(async ({ ctx, input }) => acceptHostKey(ctx.deps, ctx.host, await actorFor(ctx), input)),
  agentLog: readHost.input(agentLogInput).query(({ ctx, input }) => agentLog(ctx.deps, ctx.host, input)),
  removalPlan: writeHost.query(({ ctx }) => removalPlan(ctx.deps, ctx.host)),
  reinstallAgent: writeHost.mutation(async ({ ctx }) => reinstallAgent(ctx.deps, ctx.host, await actorFor(ctx))),
  /** Moves the host to another environment of the team (both must be in the caller's grant). */
  setEnvironment: writeHost
    .input(setHostEnvironmentInput)
    .mutation(async ({ ctx, input }) => setHostEnvironment(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: writeHost
    .input(removeHostInput)
    .mutation(async ({ ctx, input }) => removeHost(ctx.deps, ctx.host, await actorFor(ctx), input)),
  containers: readHost.query(({ ctx }) => callAgent(ctx.deps, ctx.host, "listContainers", { all: true })),
  images: readHost.query(({ ctx }) => callAgent(ctx.deps, ctx.host, "listImages", {})),
  volumes: readHost.query(({ ctx }) => callAgent(ctx.deps, ctx.host, "listVolumes", {})),
  networks: readHost.query(({ ctx }) => callAgent(ctx.deps, ctx.host, "listNetworks", {})),
});
