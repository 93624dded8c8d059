import { z } from "zod";

import { changePassword, changePasswordInput, disableTwoFactor, disableTwoFactorInput, getProfile, updateProfile, updateProfileInput } from "../services/account";
import { actorFor } from "../services/audit";
import { listSessions, revokeOtherSessions, revokeSession } from "../services/sessions";
import { beginTotp, enableTotp } from "../services/two-factor";
import { accountProcedure, router } from "../trpc";

export const accountRouter = router({
  profile: accountProcedure.query(({ ctx }) => getProfile(ctx.deps, ctx.session.userId)),
  updateProfile: accountProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => updateProfile(ctx.deps, await signedInActor(ctx), input)),
  changePassword: accountProcedure
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) => changePassword(ctx.deps, await signedInActor(ctx), ctx.session.sessionId, input)),
  sessions: accountProcedure.query(({ ctx }) => listSessions(ctx.deps, ctx.session.userId, ctx.session.sessionId)),
  revokeSession: accountProcedure
    .input(z.object({ sessionId: z.string().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => revokeSession(ctx.deps, await signedInActor(ctx), input.sessionId)),
  revokeOtherSessions: accountProcedure.mutation(async ({ ctx }) => revokeOtherSessions(ctx.deps, await signedInActor(ctx), ctx.session.sessionId)),
  beginTwoFactor: accountProcedure.mutation(({ ctx }) => beginTotp(ctx.deps, ctx.session.userId)),
  enableTwoFactor: accountProcedure
    .input(z.object({ code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code your app shows.") }))
    .mutation(async ({ ctx, input }) => enableTotp(ctx.deps, await signedInActor(ctx), input.code)),
  disableTwoFactor: accountProcedure.input(disableTwoFactorInput).mutation(async ({ ctx, input }) => disableTwoFactor(ctx.deps, await signedInActor(ctx), input)),
});

async function signedInActor(ctx: Parameters<typeof actorFor>[0]) {
  return { ...(await actorFor(ctx)), id: ctx.session.userId };
}
