import { z } from "zod";

import { restOutput, revisionPageOutput, stackListOutput, stackOutput, stackStatusOutput } from "../lib/rest-outputs";
import { actorFor } from "../services/audit";
import { checkDraft } from "../services/stack-check";
import { openStackLogs, stackLogsInput } from "../services/stack-logs";
import { stackStatus, stackStatusInput } from "../services/stack-status";
import {
  createStack,
  createStackInput,
  diffRevisions,
  diffRevisionsInput,
  folderFileInput,
  getFolderFile,
  getRevision,
  getStack,
  listRevisions,
  listRevisionsInput,
  listStacks,
  listStacksInput,
  previewDraft,
  previewDraftInput,
  previewInput,
  previewStack,
  removeStack,
  removeStackInput,
  revisionRef,
  saveRevision,
  saveRevisionInput,
  updateStack,
  updateStackInput,
} from "../services/stacks";
import { router, teamProcedure, trackedEvents } from "../trpc";

const readStack = teamProcedure.meta({ permission: "stack:read", resource: "stack" });
const writeStack = teamProcedure.meta({ permission: "stack:write", resource: "stack" });

export const stackRouter = router({
  /** Each target's state comes from the database (jobs and the monitor's last count), never from a live agent call. */
  list: teamProcedure
    .meta({ permission: "stack:read", resource: "team", openapi: { method: "GET", path: "/stacks", tags: ["stacks"], summary: "Stacks with their state on each host" } })
    .input(listStacksInput)
    .output(restOutput(stackListOutput).of<Awaited<ReturnType<typeof listStacks>>>())
    .query(({ ctx, input }) => listStacks(ctx.deps, ctx.team.id, input)),
  byId: readStack
    .meta({ openapi: { method: "GET", path: "/stacks/{stackId}", tags: ["stacks"], summary: "One stack" } })
    .input(z.object({ stackId: z.string().min(1) }))
    .output(restOutput(stackOutput).of<Awaited<ReturnType<typeof getStack>>>())
    .query(({ ctx, input }) => getStack(ctx.deps, ctx.team.id, input.stackId)),
  create: writeStack.input(createStackInput).mutation(async ({ ctx, input }) => createStack(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  update: writeStack.input(updateStackInput).mutation(async ({ ctx, input }) => updateStack(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: writeStack.input(removeStackInput).mutation(async ({ ctx, input }) => removeStack(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  saveRevision: writeStack
    .input(saveRevisionInput)
    .mutation(async ({ ctx, input }) => saveRevision(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  revisions: readStack
    .meta({ openapi: { method: "GET", path: "/stacks/{stackId}/revisions", tags: ["stacks"], summary: "A stack's revisions, newest first (cursor = a revision number)" } })
    .input(listRevisionsInput)
    .output(restOutput(revisionPageOutput).of<Awaited<ReturnType<typeof listRevisions>>>())
    .query(({ ctx, input }) => listRevisions(ctx.deps, ctx.team.id, input)),
  revision: readStack.input(revisionRef).query(({ ctx, input }) => getRevision(ctx.deps, ctx.team.id, input)),
  /** One plain file of a revision's folder (base64), for the editor. */
  folderFile: readStack.input(folderFileInput).query(({ ctx, input }) => getFolderFile(ctx.deps, ctx.team.id, input)),
  diff: readStack.input(diffRevisionsInput).query(({ ctx, input }) => diffRevisions(ctx.deps, ctx.team.id, input)),
  /** Merged compose config of a saved revision on a host, as `compose config` prints it there. */
  preview: teamProcedure.meta({ permission: "stack:config", resource: "stack" }).input(previewInput).query(({ ctx, input }) => previewStack(ctx.deps, ctx.team.id, input)),
  /** The same for unsaved edits (it writes them to the host's project directory, hence stack:write). */
  previewDraft: writeStack.input(previewDraftInput).mutation(({ ctx, input }) => previewDraft(ctx.deps, ctx.team.id, input)),
  /** Unsaved edits through a deploy's preflight on a host, without deploying (stack:write, as for previewDraft). */
  checkDraft: writeStack.input(previewDraftInput).mutation(({ ctx, input }) => checkDraft(ctx.deps, ctx.team.id, ctx.session.userId, input)),
  status: readStack
    .meta({ openapi: { method: "GET", path: "/stacks/{stackId}/hosts/{hostId}/status", tags: ["stacks"], summary: "Live status of a stack on one host (asks its agent)" } })
    .input(stackStatusInput)
    .output(restOutput(stackStatusOutput).of<Awaited<ReturnType<typeof stackStatus>>>())
    .query(({ ctx, input }) => stackStatus(ctx.deps, ctx.team.id, input)),
  logs: teamProcedure
    .meta({ permission: "logs:read", resource: "stack" })
    .input(stackLogsInput)
    .subscription(async ({ ctx, input, signal }) => trackedEvents(await openStackLogs(ctx.deps, ctx.team.id, input, signal), (event) => event.cursor)),
});
