import { accountRouter } from "./routers/account";
import { apiTokenRouter } from "./routers/api-token";
import { approvalRouter } from "./routers/approval";
import { auditRouter } from "./routers/audit";
import { chatRouter } from "./routers/chat";
import { containerRouter } from "./routers/container";
import { credentialRouter } from "./routers/credential";
import { deployHookRouter } from "./routers/deploy-hook";
import { deploymentRouter } from "./routers/deployment";
import { dockerEventsRouter } from "./routers/docker-events";
import { environmentRouter } from "./routers/environment";
import { guardrailRouter } from "./routers/guardrail";
import { healthRouter } from "./routers/health";
import { hostRouter } from "./routers/host";
import { imageRouter } from "./routers/image";
import { invitationRouter } from "./routers/invitation";
import { networkRouter } from "./routers/network";
import { registryRouter } from "./routers/registry";
import { setupRouter } from "./routers/setup";
import { stackRouter } from "./routers/stack";
import { statsRouter } from "./routers/stats";
import { teamRouter } from "./routers/team";
import { volumeRouter } from "./routers/volume";
import { webhookRouter } from "./routers/webhook";
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
  container: containerRouter,
  image: imageRouter,
  volume: volumeRouter,
  network: networkRouter,
  dockerEvents: dockerEventsRouter,
  stats: statsRouter,
  audit: auditRouter,
  stack: stackRouter,
  deployment: deploymentRouter,
  guardrail: guardrailRouter,
  approval: approvalRouter,
  apiToken: apiTokenRouter,
  webhook: webhookRouter,
  chat: chatRouter,
  deployHook: deployHookRouter,
  registry: registryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
