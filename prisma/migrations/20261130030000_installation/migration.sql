-- This installation's id, for the owner labels on every container Wharf creates (one row: singleton is always true).
CREATE TABLE "Installation" (
    "singleton" BOOLEAN NOT NULL DEFAULT true CHECK ("singleton"),
    "id" TEXT NOT NULL,
    "labelledSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Installation_pkey" PRIMARY KEY ("singleton")
);

CREATE UNIQUE INDEX "Installation_id_key" ON "Installation"("id");

-- Created once, here: containers deployed before now carry no labels and are adopted by their stack (see the README).
INSERT INTO "Installation" ("id") VALUES (gen_random_uuid()::text);
