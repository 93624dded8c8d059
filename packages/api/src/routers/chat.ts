import { actorFor } from "../services/audit";
import { getChatIntegration, linkChatUser, linkChatUserInput, setSigningSecret, setSigningSecretInput, unlinkChatUser, unlinkChatUserInput } from "../services/chat";
import { router, teamProcedure, userProcedure } from "../trpc";

const manage = teamProcedure.meta({ permission: "chat:manage", resource: "team" });

export const chatRouter = router({
  /** The app's URLs and linked users; never the signing secret. */
  get: manage.query(({ ctx }) => getChatIntegration(ctx.deps, ctx.team.id)),
  setSigningSecret: manage.input(setSigningSecretInput).mutation(async ({ ctx, input }) => setSigningSecret(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  unlink: manage.input(unlinkChatUserInput).mutation(async ({ ctx, input }) => unlinkChatUser(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  /** The one-time link the bot sent, opened signed in: links that chat user to the caller (a member of the app's team). */
  link: userProcedure.input(linkChatUserInput).mutation(({ ctx, input }) => linkChatUser(ctx.deps, ctx.session.userId, input)),
});
