-- Containers per compose project on each host, as the monitor last counted them.
ALTER TABLE "Host" ADD COLUMN "composeProjects" JSONB;
