-- CreateEnum
CREATE TYPE "DeploymentAction" AS ENUM ('DEPLOY', 'STOP', 'DOWN', 'RESTART', 'PULL', 'BUILD', 'REDEPLOY', 'ROLLBACK');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Stack" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Stack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StackTarget" (
    "stackId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "overlay" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StackTarget_pkey" PRIMARY KEY ("stackId","hostId")
);

-- CreateTable
CREATE TABLE "StackRevision" (
    "id" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "message" TEXT NOT NULL,
    "authorId" TEXT,
    "authorLabel" TEXT NOT NULL,
    "files" JSONB NOT NULL,
    "env" JSONB NOT NULL,
    "secretNames" TEXT[],
    "secretsEnc" BYTEA,
    "limits" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StackRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "action" "DeploymentAction" NOT NULL,
    "options" JSONB NOT NULL DEFAULT '{}',
    "status" "DeploymentStatus" NOT NULL DEFAULT 'QUEUED',
    "reason" TEXT,
    "error" TEXT,
    "exitCode" INTEGER,
    "afterId" TEXT,
    "requestedById" TEXT,
    "requestedByLabel" TEXT NOT NULL,
    "runnerId" TEXT,
    "cancelRequestedAt" TIMESTAMP(3),
    "preflight" JSONB,
    "preflightAt" TIMESTAMP(3),
    "overlay" TEXT,
    "limitsOverride" TEXT,
    "renderedCompose" TEXT,
    "envRedacted" JSONB,
    "imageDigests" JSONB,
    "compose" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentLog" (
    "deploymentId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "stream" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeploymentLog_pkey" PRIMARY KEY ("deploymentId","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "Stack_teamId_name_key" ON "Stack"("teamId", "name");

-- CreateIndex
CREATE INDEX "StackTarget_hostId_idx" ON "StackTarget"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "StackRevision_stackId_number_key" ON "StackRevision"("stackId", "number");

-- CreateIndex
CREATE INDEX "Deployment_stackId_hostId_createdAt_idx" ON "Deployment"("stackId", "hostId", "createdAt");

-- CreateIndex
CREATE INDEX "Deployment_status_createdAt_idx" ON "Deployment"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "Stack" ADD CONSTRAINT "Stack_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackTarget" ADD CONSTRAINT "StackTarget_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackTarget" ADD CONSTRAINT "StackTarget_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackRevision" ADD CONSTRAINT "StackRevision_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackRevision" ADD CONSTRAINT "StackRevision_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "StackRevision"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_afterId_fkey" FOREIGN KEY ("afterId") REFERENCES "Deployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentLog" ADD CONSTRAINT "DeploymentLog_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma cannot express partial indexes): at most one job
-- per stack and host is waiting or running, so a second enqueue fails here.
-- (No semicolons in these comments: the migration runner splits on them.)
CREATE UNIQUE INDEX "Deployment_one_active_per_stack_host" ON "Deployment"("stackId", "hostId") WHERE "status" IN ('QUEUED', 'RUNNING');
