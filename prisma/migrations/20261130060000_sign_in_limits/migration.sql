-- Sign-in limiter state shared by every web replica (see services/auth.ts).
CREATE TABLE "SignInLimit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "SignInLimit_pkey" PRIMARY KEY ("key")
);
