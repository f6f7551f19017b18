-- CreateTable
CREATE TABLE "vulnerability_tab_stat" (
    "category" TEXT NOT NULL,
    "status" "finding_status" NOT NULL,
    "vulnerability_id" TEXT NOT NULL,
    "prank" INTEGER NOT NULL,
    "images" INTEGER NOT NULL,
    "packages" INTEGER NOT NULL,
    "fixable" BOOLEAN NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3),

    CONSTRAINT "vulnerability_tab_stat_pkey" PRIMARY KEY ("category","status","vulnerability_id")
);


-- The triggers that maintain this table live in prisma/functions.sql (applied after migrations:
-- Prisma's migration runner cannot run dollar-quoted function bodies).
CREATE INDEX "finding_vulnerability_agg_idx" ON "finding" ("vulnerability_id") INCLUDE ("category", "status", "priority", "image_id", "fixed_version", "last_seen_at");
