-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "agentUpgradedAt" TIMESTAMP(3),
ADD COLUMN     "keyPinnedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "seenKeyAlgorithm" TEXT,
ADD COLUMN     "seenKeyAt" TIMESTAMP(3),
ADD COLUMN     "seenKeyFingerprint" TEXT;

-- CreateTable
CREATE TABLE "PastHostKey" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "pinnedAt" TIMESTAMP(3) NOT NULL,
    "replacedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replacedByLabel" TEXT NOT NULL,

    CONSTRAINT "PastHostKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PastHostKey_hostId_replacedAt_idx" ON "PastHostKey"("hostId", "replacedAt");

-- AddForeignKey
ALTER TABLE "PastHostKey" ADD CONSTRAINT "PastHostKey_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hosts added before this kept their key since they were added.
UPDATE "Host" SET "keyPinnedAt" = "createdAt";
