import { z } from "zod";

import { actorFor } from "../services/audit";
import {
  createWebhook,
  createWebhookInput,
  listDeliveries,
  listDeliveriesInput,
  listWebhooks,
  removeWebhook,
  sendTestEvent,
  setAllowPrivateWebhooks,
  updateWebhook,
  updateWebhookInput,
  webhookRef,
} from "../services/webhooks";
import { router, teamProcedure } from "../trpc";

const manage = teamProcedure.meta({ permission: "webhook:manage", resource: "team" });

export const webhookRouter = router({
  list: manage.query(({ ctx }) => listWebhooks(ctx.deps, ctx.team.id)),
  /** Returns the target and its signing secret, shown this once. */
  create: manage.input(createWebhookInput).mutation(async ({ ctx, input }) => createWebhook(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  update: manage.input(updateWebhookInput).mutation(async ({ ctx, input }) => updateWebhook(ctx.deps, ctx.team.id, await actorFor(ctx), input)),
  remove: manage.input(webhookRef).mutation(async ({ ctx, input }) => removeWebhook(ctx.deps, ctx.team.id, await actorFor(ctx), input.targetId)),
  sendTest: manage.input(webhookRef).mutation(async ({ ctx, input }) => sendTestEvent(ctx.deps, ctx.team.id, await actorFor(ctx), input.targetId)),
  deliveries: manage.input(listDeliveriesInput).query(({ ctx, input }) => listDeliveries(ctx.deps, ctx.team.id, input)),
  setAllowPrivate: manage
    .input(z.object({ allow: z.boolean() }))
    .mutation(async ({ ctx, input }) => setAllowPrivateWebhooks(ctx.deps, ctx.team.id, await actorFor(ctx), input.allow)),
});
