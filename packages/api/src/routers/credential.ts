import { z } from "zod";

import { actorFor } from "../services/audit";
import {
  generateCredential,
  generateCredentialInput,
  importCredential,
  importCredentialInput,
  listCredentials,
  removeCredential,
  renameCredential,
  renameCredentialInput,
} from "../services/credentials";
import { router, teamProcedure } from "../trpc";

export const credentialRouter = router({
  list: teamProcedure.meta({ permission: "credential:read", resource: "team" }).query(({ ctx }) => listCredentials(ctx.deps, ctx.team.id)),
  generate: teamProcedure
    .meta({ permission: "credential:write", resource: "team" })
    .input(generateCredentialInput)
    .mutation(async ({ ctx, input }) => generateCredential(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  import: teamProcedure
    .meta({ permission: "credential:write", resource: "team" })
    .input(importCredentialInput)
    .mutation(async ({ ctx, input }) => importCredential(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  rename: teamProcedure
    .meta({ permission: "credential:write", resource: "credential" })
    .input(renameCredentialInput)
    .mutation(async ({ ctx, input }) => renameCredential(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: teamProcedure
    .meta({ permission: "credential:write", resource: "credential" })
    .input(z.object({ credentialId: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => removeCredential(ctx.deps, ctx.team.id, await actorFor(ctx), input.credentialId)),
});
