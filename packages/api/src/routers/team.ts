import { getMe, listMyTeams } from "../services/teams";
import { router, teamProcedure } from "../trpc";

export const teamRouter = router({
  me: teamProcedure.meta({ permission: "team:read" }).query(({ ctx }) => getMe(ctx.deps, ctx.session.userId, ctx.team.id, ctx.team.role)),
  list: teamProcedure.meta({ permission: "team:read" }).query(({ ctx }) => listMyTeams(ctx.deps, ctx.session.userId)),
});
