import { actorFor } from "../services/audit";
import {
  createTeam,
  createTeamInput,
  getMe,
  leaveTeam,
  listMembers,
  listMyTeams,
  memberRef,
  removeMember,
  setMemberRole,
  setMemberRoleInput,
  transferOwnership,
} from "../services/teams";
import { router, teamProcedure, userProcedure } from "../trpc";

const readTeam = teamProcedure.meta({ permission: "team:read", resource: "team" });
const manageMembers = teamProcedure.meta({ permission: "member:manage", resource: "team" });

export const teamRouter = router({
  me: readTeam.query(({ ctx }) => getMe(ctx.deps, ctx.session.userId, ctx.team)),
  /** Every team the user belongs to, for the switcher. */
  list: userProcedure.query(({ ctx }) => listMyTeams(ctx.deps, ctx.session.userId)),
  create: userProcedure.input(createTeamInput).mutation(async ({ ctx, input }) => createTeam(ctx.deps, { ...(await actorFor(ctx)), id: ctx.session.userId }, input)),
  members: readTeam.query(({ ctx }) => listMembers(ctx.deps, ctx.team.id)),
  setRole: manageMembers
    .input(setMemberRoleInput)
    .mutation(async ({ ctx, input }) => setMemberRole(ctx.deps, ctx.team.id, await actorFor(ctx), ctx.team.role, input)),
  removeMember: manageMembers
    .input(memberRef)
    .mutation(async ({ ctx, input }) => removeMember(ctx.deps, ctx.team.id, await actorFor(ctx), ctx.team.role, input.userId)),
  transferOwnership: teamProcedure
    .meta({ permission: "team:manage", resource: "team" })
    .input(memberRef)
    .mutation(async ({ ctx, input }) => transferOwnership(ctx.deps, ctx.team.id, { ...(await actorFor(ctx)), id: ctx.session.userId }, input.userId)),
  leave: readTeam.mutation(async ({ ctx }) => leaveTeam(ctx.deps, ctx.team.id, { ...(await actorFor(ctx)), id: ctx.session.userId })),
});
