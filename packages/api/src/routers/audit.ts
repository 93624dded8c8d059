import { auditFilterInput, exportAuditCsv, listAuditActions, listAuditEvents, listAuditInput } from "../services/audit";
import { router, teamProcedure } from "../trpc";

const readAudit = teamProcedure.meta({ permission: "audit:read", resource: "team" });

export const auditRouter = router({
  list: readAudit.input(listAuditInput).query(({ ctx, input }) => listAuditEvents(ctx.deps, ctx.team.id, input)),
  actions: readAudit.query(({ ctx }) => listAuditActions(ctx.deps, ctx.team.id)),
  /** Served as a file by the web app's /api/audit/export route. */
  exportCsv: readAudit.input(auditFilterInput).query(({ ctx, input }) => exportAuditCsv(ctx.deps, ctx.team.id, input)),
});
