-- CreateTable
CREATE TABLE "fix_action_vulnerability" (
    "akey" TEXT NOT NULL,
    "vulnerability_id" TEXT NOT NULL,

    CONSTRAINT "fix_action_vulnerability_pkey" PRIMARY KEY ("akey","vulnerability_id")
);

-- CreateTable
CREATE TABLE "image_finding_stat" (
    "image_id" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "open" INTEGER NOT NULL,
    "fixable" INTEGER NOT NULL,

    CONSTRAINT "image_finding_stat_pkey" PRIMARY KEY ("image_id","category")
);

-- CreateTable
CREATE TABLE "fix_action_image" (
    "image_id" UUID NOT NULL,
    "akey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "package_type" TEXT,
    "package_name" TEXT,
    "layer_key" TEXT,
    "created_by" TEXT,
    "base_name" TEXT,
    "findings" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "kev" INTEGER NOT NULL,
    "clears" BOOLEAN NOT NULL,
    "vulnerabilities" TEXT[],
    "packages" TEXT[],

    CONSTRAINT "fix_action_image_pkey" PRIMARY KEY ("image_id","akey")
);

-- CreateIndex
CREATE INDEX "fix_action_image_akey_idx" ON "fix_action_image"("akey");

-- AddForeignKey
ALTER TABLE "image_finding_stat" ADD CONSTRAINT "image_finding_stat_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fix_action_image" ADD CONSTRAINT "fix_action_image_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- "What scans cleared" in the fix plan reads the recent resolutions only.
CREATE INDEX "finding_change_resolved_at_idx" ON "finding_change" ("at") WHERE "change" = 'resolved';
