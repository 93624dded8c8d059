-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED');

-- CreateTable
CREATE TABLE "GuardrailPolicy" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "environmentId" TEXT,
    "policy" JSONB NOT NULL,
    "updatedByLabel" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GuardrailPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnvironmentProtection" (
    "environmentId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "requiredApprovals" INTEGER NOT NULL DEFAULT 1,
    "expiresAfterMinutes" INTEGER NOT NULL DEFAULT 1440,
    "updatedByLabel" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EnvironmentProtection_pkey" PRIMARY KEY ("environmentId")
);

-- CreateTable
CREATE TABLE "GuardrailException" (
    "id" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "grantedById" TEXT,
    "grantedByLabel" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GuardrailException_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "environmentIds" TEXT[],
    "action" "DeploymentAction" NOT NULL,
    "input" JSONB NOT NULL,
    "revisionNumber" INTEGER,
    "diff" JSONB NOT NULL,
    "requiredApprovals" INTEGER NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" TEXT,
    "requestedByLabel" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "deploymentIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalDecision" (
    "requestId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userLabel" TEXT NOT NULL,
    "approve" BOOLEAN NOT NULL,
    "comment" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalDecision_pkey" PRIMARY KEY ("requestId","userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "GuardrailPolicy_teamId_environmentId_key" ON "GuardrailPolicy"("teamId", "environmentId");

-- CreateIndex
CREATE UNIQUE INDEX "EnvironmentProtection_teamId_environmentId_key" ON "EnvironmentProtection"("teamId", "environmentId");

-- CreateIndex
CREATE UNIQUE INDEX "GuardrailException_stackId_rule_key" ON "GuardrailException"("stackId", "rule");

-- CreateIndex
CREATE INDEX "ApprovalRequest_teamId_status_createdAt_idx" ON "ApprovalRequest"("teamId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_stackId_createdAt_idx" ON "ApprovalRequest"("stackId", "createdAt");

-- AddForeignKey
ALTER TABLE "GuardrailPolicy" ADD CONSTRAINT "GuardrailPolicy_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GuardrailPolicy" ADD CONSTRAINT "GuardrailPolicy_teamId_environmentId_fkey" FOREIGN KEY ("teamId", "environmentId") REFERENCES "Environment"("teamId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvironmentProtection" ADD CONSTRAINT "EnvironmentProtection_teamId_environmentId_fkey" FOREIGN KEY ("teamId", "environmentId") REFERENCES "Environment"("teamId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GuardrailException" ADD CONSTRAINT "GuardrailException_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalDecision" ADD CONSTRAINT "ApprovalDecision_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ApprovalRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalDecision" ADD CONSTRAINT "ApprovalDecision_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

