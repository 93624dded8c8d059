-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "allowPrivateWebhooks" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "WebhookTarget" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "events" TEXT[],
    "secretEnc" BYTEA NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledReason" TEXT,
    "failingSince" TIMESTAMP(3),
    "createdById" TEXT,
    "createdByLabel" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "statusCode" INTEGER,
    "error" TEXT,
    "responseBody" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatIntegration" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "signingSecretEnc" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatIntegration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatUserLink" (
    "integrationId" TEXT NOT NULL,
    "chatUserId" TEXT NOT NULL,
    "chatUserName" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatUserLink_pkey" PRIMARY KEY ("integrationId","chatUserId")
);

-- CreateTable
CREATE TABLE "ChatLinkToken" (
    "tokenHash" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "chatUserId" TEXT NOT NULL,
    "chatUserName" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatLinkToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ChatRequestSeen" (
    "signature" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatRequestSeen_pkey" PRIMARY KEY ("signature")
);

-- CreateTable
CREATE TABLE "DeployHook" (
    "id" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdByLabel" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "lastUsedAddress" TEXT,

    CONSTRAINT "DeployHook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookTarget_teamId_idx" ON "WebhookTarget"("teamId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_targetId_createdAt_idx" ON "WebhookDelivery"("targetId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatIntegration_teamId_key" ON "ChatIntegration"("teamId");

-- CreateIndex
CREATE INDEX "ChatUserLink_userId_idx" ON "ChatUserLink"("userId");

-- CreateIndex
CREATE INDEX "ChatRequestSeen_seenAt_idx" ON "ChatRequestSeen"("seenAt");

-- CreateIndex
CREATE UNIQUE INDEX "DeployHook_stackId_key" ON "DeployHook"("stackId");

-- AddForeignKey
ALTER TABLE "WebhookTarget" ADD CONSTRAINT "WebhookTarget_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "WebhookTarget"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatIntegration" ADD CONSTRAINT "ChatIntegration_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatUserLink" ADD CONSTRAINT "ChatUserLink_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "ChatIntegration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatUserLink" ADD CONSTRAINT "ChatUserLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatLinkToken" ADD CONSTRAINT "ChatLinkToken_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "ChatIntegration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeployHook" ADD CONSTRAINT "DeployHook_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

