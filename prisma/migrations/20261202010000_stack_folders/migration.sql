-- CreateTable
CREATE TABLE "Blob" (
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "StackRevisionEntry" (
    "revisionId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "mode" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT,
    "sealed" BYTEA,

    CONSTRAINT "StackRevisionEntry_pkey" PRIMARY KEY ("revisionId","path")
);

-- CreateIndex
CREATE INDEX "StackRevisionEntry_sha256_idx" ON "StackRevisionEntry"("sha256");

-- AddForeignKey
ALTER TABLE "StackRevisionEntry" ADD CONSTRAINT "StackRevisionEntry_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "StackRevision"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackRevisionEntry" ADD CONSTRAINT "StackRevisionEntry_sha256_fkey" FOREIGN KEY ("sha256") REFERENCES "Blob"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;


-- A plain file names its blob, a secret file holds its sealed content: exactly one of them.
ALTER TABLE "StackRevisionEntry" ADD CONSTRAINT "StackRevisionEntry_content_check" CHECK (("sha256" IS NULL) <> ("sealed" IS NULL));
