-- DropIndex
DROP INDEX "fix_action_image_akey_idx";

-- CreateTable
CREATE TABLE "fix_action_package" (
    "akey" TEXT NOT NULL,
    "package" TEXT NOT NULL,

    CONSTRAINT "fix_action_package_pkey" PRIMARY KEY ("akey","package")
);

-- CreateIndex
CREATE INDEX "fix_action_image_akey_findings_image_id_idx" ON "fix_action_image"("akey", "findings" DESC, "image_id");


-- The fleet-wide package lists of the rows already kept.
INSERT INTO "fix_action_package" ("akey", "package")
SELECT DISTINCT a."akey", x FROM "fix_action_image" a, unnest(a."packages") x
ON CONFLICT DO NOTHING;
