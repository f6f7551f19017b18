-- DropIndex
DROP INDEX "scan_job_image_id_idx";

-- AlterTable
ALTER TABLE "registry_instance" ADD COLUMN     "last_sync_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_sync_error" TEXT,
ADD COLUMN     "next_scheduled_at" TIMESTAMPTZ(3),
ADD COLUMN     "repositories" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "scan_interval_minutes" INTEGER,
ADD COLUMN     "secret" TEXT,
ADD COLUMN     "username" TEXT;

-- AlterTable
ALTER TABLE "image" ADD COLUMN     "analysis_key" TEXT,
ADD COLUMN     "gone_at" TIMESTAMPTZ(3),
ADD COLUMN     "index_digest" TEXT,
ADD COLUMN     "layer_count" INTEGER,
ADD COLUMN     "media_type" TEXT,
ADD COLUMN     "size_bytes" BIGINT;

-- AlterTable
ALTER TABLE "scan_job" ADD COLUMN     "bytes_pulled" BIGINT,
ADD COLUMN     "cache_hit" BOOLEAN,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'registry',
ADD COLUMN     "progress" JSONB,
ADD COLUMN     "result" JSONB,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "upload_path" TEXT;

-- CreateTable
CREATE TABLE "scan" (
    "id" UUID NOT NULL,
    "scope" JSONB NOT NULL,
    "trigger" TEXT NOT NULL,
    "requested_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scan_item" (
    "scan_id" UUID NOT NULL,
    "scan_job_id" UUID NOT NULL,

    CONSTRAINT "scan_item_pkey" PRIMARY KEY ("scan_id","scan_job_id")
);

-- CreateTable
CREATE TABLE "analysis_cache" (
    "key" TEXT NOT NULL,
    "analyzer_version" TEXT NOT NULL,
    "inventory" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analysis_cache_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "scan_created_at_idx" ON "scan"("created_at");

-- CreateIndex
CREATE INDEX "scan_item_scan_job_id_idx" ON "scan_item"("scan_job_id");

-- CreateIndex
CREATE INDEX "scan_job_image_id_status_idx" ON "scan_job"("image_id", "status");

-- AddForeignKey
ALTER TABLE "scan_item" ADD CONSTRAINT "scan_item_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_item" ADD CONSTRAINT "scan_item_scan_job_id_fkey" FOREIGN KEY ("scan_job_id") REFERENCES "scan_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one queued or running scan job per image: a second Scan Now joins it (not in the
-- Prisma schema, which cannot express partial indexes).
CREATE UNIQUE INDEX "scan_job_one_active_per_image" ON "scan_job"("image_id") WHERE "status" IN ('queued', 'running') AND "image_id" IS NOT NULL;
