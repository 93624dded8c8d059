-- CreateEnum
CREATE TYPE "RegistryKind" AS ENUM ('DOCKER_HUB', 'ECR', 'V2');

-- CreateTable
CREATE TABLE "Registry" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "RegistryKind" NOT NULL,
    "address" TEXT NOT NULL,
    "url" TEXT,
    "username" TEXT,
    "region" TEXT,
    "awsRegistryId" TEXT,
    "accessKeyId" TEXT,
    "roleArn" TEXT,
    "caCert" TEXT,
    "secretEnc" BYTEA,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Registry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryToken" (
    "registryId" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "tokenEnc" BYTEA NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegistryToken_pkey" PRIMARY KEY ("registryId")
);

-- CreateIndex
CREATE INDEX "Registry_teamId_idx" ON "Registry"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "Registry_teamId_name_key" ON "Registry"("teamId", "name");

-- AddForeignKey
ALTER TABLE "Registry" ADD CONSTRAINT "Registry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegistryToken" ADD CONSTRAINT "RegistryToken_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

