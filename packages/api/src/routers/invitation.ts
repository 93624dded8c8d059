import { actorFor } from "../services/audit";
import {
  acceptInvitation,
  createInvitation,
  createInvitationInput,
  invitationRef,
  invitationToken,
  listPendingInvitations,
  previewInvitation,
  revokeInvitation,
  signUpWithInvitation,
  signUpWithInvitationInput,
} from "../services/invitations";
import { publicProcedure, router, teamProcedure, userProcedure } from "../trpc";

const manageMembers = teamProcedure.meta({ permission: "member:manage", resource: "team" });

export const invitationRouter = router({
  /** The link is in this response only. */
  create: manageMembers
    .input(createInvitationInput)
    .mutation(async ({ ctx, input }) => createInvitation(ctx.deps, ctx.team.id, await actorFor(ctx), ctx.team.role, input)),
  pending: manageMembers.query(({ ctx }) => listPendingInvitations(ctx.deps, ctx.team.id)),
  revoke: manageMembers
    .input(invitationRef)
    .mutation(async ({ ctx, input }) => revokeInvitation(ctx.deps, ctx.team.id, await actorFor(ctx), input.invitationId)),
  /** Whoever holds the link sees the team's name and the role offered. */
  preview: publicProcedure.input(invitationToken).query(({ ctx, input }) => previewInvitation(ctx.deps, input.token)),
  accept: userProcedure.input(invitationToken).mutation(({ ctx, input }) => acceptInvitation(ctx.deps, ctx.session.userId, input.token)),
  signUp: publicProcedure.input(signUpWithInvitationInput).mutation(({ ctx, input }) => signUpWithInvitation(ctx.deps, input)),
});
