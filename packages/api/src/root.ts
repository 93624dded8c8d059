import { accountRouter } from "./routers/account";
import { approvalRouter } from "./routers/approval";
import { auditRouter } from "./routers/audit";
import { credentialRouter } from "./routers/credential";
import { deploymentRouter } from "./routers/deployment";
import { environmentRouter } from "./routers/environment";
import { guardrailRouter } from "./routers/guardrail";
import { healthRouter } from "./routers/health";
import { hostRouter } from "./routers/host";
import { invitationRouter } from "./routers/invitation";
import { setupRouter } from "./routers/setup";
import { stackRouter } from "./routers/stack";
import { teamRouter } from "./routers/team";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  health: healthRouter,
  setup: setupRouter,
  team: teamRouter,
  environment: environmentRouter,
  invitation: invitationRouter,
  account: accountRouter,
  credential: credentialRouter,
  host: hostRouter,
  audit: auditRouter,
  stack: stackRouter,
  deployment: deploymentRouter,
  guardrail: guardrailRouter,
  approval: approvalRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
