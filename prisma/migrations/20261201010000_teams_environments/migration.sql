-- Environments: every team gets one named "default" holding its existing hosts.
CREATE TABLE "Environment" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Environment_teamId_name_key" ON "Environment"("teamId", "name");
CREATE UNIQUE INDEX "Environment_teamId_id_key" ON "Environment"("teamId", "id");
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "Environment" ("id", "teamId", "name")
SELECT 'env' || replace(gen_random_uuid()::text, '-', ''), "id", 'default' FROM "Team";

ALTER TABLE "Host" ADD COLUMN "environmentId" TEXT;
UPDATE "Host" h SET "environmentId" = e."id" FROM "Environment" e WHERE e."teamId" = h."teamId";
ALTER TABLE "Host" ALTER COLUMN "environmentId" SET NOT NULL;
CREATE INDEX "Host_teamId_environmentId_idx" ON "Host"("teamId", "environmentId");
ALTER TABLE "Host" ADD CONSTRAINT "Host_teamId_environmentId_fkey" FOREIGN KEY ("teamId", "environmentId") REFERENCES "Environment"("teamId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Environment-scoped role grants.
ALTER TABLE "Membership" ADD COLUMN "environmentScoped" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "MembershipEnvironment" (
    "userId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,

    CONSTRAINT "MembershipEnvironment_pkey" PRIMARY KEY ("userId","teamId","environmentId")
);

CREATE INDEX "MembershipEnvironment_teamId_environmentId_idx" ON "MembershipEnvironment"("teamId", "environmentId");
ALTER TABLE "MembershipEnvironment" ADD CONSTRAINT "MembershipEnvironment_userId_teamId_fkey" FOREIGN KEY ("userId", "teamId") REFERENCES "Membership"("userId", "teamId") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "MembershipEnvironment" ADD CONSTRAINT "MembershipEnvironment_teamId_environmentId_fkey" FOREIGN KEY ("teamId", "environmentId") REFERENCES "Environment"("teamId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invitations: single-use links, only the token's SHA-256 stored.
CREATE TABLE "Invitation" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "environmentScoped" BOOLEAN NOT NULL DEFAULT false,
    "environmentIds" TEXT[],
    "note" TEXT NOT NULL DEFAULT '',
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "invitedById" TEXT,
    "invitedByLabel" TEXT NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "acceptedById" TEXT,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invitation_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Invitation_tokenHash_key" ON "Invitation"("tokenHash");
CREATE INDEX "Invitation_teamId_createdAt_idx" ON "Invitation"("teamId", "createdAt");
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_invitedById_fkey" FOREIGN KEY ("invitedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_acceptedById_fkey" FOREIGN KEY ("acceptedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
