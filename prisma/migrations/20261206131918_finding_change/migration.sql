-- CreateTable
CREATE TABLE "finding_change" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "image_id" UUID NOT NULL,
    "previous_image_id" UUID,
    "scan_job_id" UUID,
    "kind" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "category" TEXT,
    "package_name" TEXT,
    "installed_version" TEXT,
    "path" TEXT,
    "priority" TEXT,

    CONSTRAINT "finding_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "finding_change_image_id_at_idx" ON "finding_change"("image_id", "at");

-- CreateIndex
CREATE INDEX "finding_change_scan_job_id_idx" ON "finding_change"("scan_job_id");

-- CreateIndex
CREATE INDEX "finding_change_at_idx" ON "finding_change"("at");

-- AddForeignKey
ALTER TABLE "finding_change" ADD CONSTRAINT "finding_change_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

