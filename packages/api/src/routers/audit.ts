import { z } from "zod";

import { listAuditEvents } from "../services/audit";
import { router, teamProcedure } from "../trpc";

export const auditRouter = router({
  list: teamProcedure
    .meta({ permission: "audit:read", resource: "team" })
    .input(z.object({ cursor: z.string().optional(), limit: z.number().int().min(1).max(100).default(50) }))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, ctx.team.id, input)),
});
