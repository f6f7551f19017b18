-- CreateEnum
CREATE TYPE "finding_status" AS ENUM ('open', 'resolved', 'ignored', 'handled');

-- CreateEnum
CREATE TYPE "priority" AS ENUM ('high', 'medium', 'low');

-- AlterTable
ALTER TABLE "image" ADD COLUMN     "name" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "os_family" TEXT,
ADD COLUMN     "os_version" TEXT,
ADD COLUMN     "package_count" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "vulnerability" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "severity" TEXT NOT NULL,
    "cvss_score" DOUBLE PRECISION,
    "cvss_vector" TEXT,
    "known_exploited" BOOLEAN NOT NULL DEFAULT false,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "references" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vulnerability_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "finding" (
    "id" UUID NOT NULL,
    "vulnerability_id" TEXT NOT NULL,
    "image_id" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "package_name" TEXT NOT NULL,
    "package_type" TEXT NOT NULL,
    "purl" TEXT NOT NULL,
    "installed_version" TEXT NOT NULL,
    "fixed_version" TEXT,
    "path" TEXT NOT NULL,
    "layer_index" INTEGER NOT NULL,
    "layer_diff_id" TEXT NOT NULL,
    "created_by" TEXT,
    "fix_status" TEXT NOT NULL,
    "priority" "priority" NOT NULL,
    "priority_reason" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "fix_command" TEXT,
    "status" "finding_status" NOT NULL DEFAULT 'open',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "malicious_sample" (
    "sha256" TEXT NOT NULL,
    "md5" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "matched_rules" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "reason" TEXT NOT NULL,
    "references" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "malicious_sample_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "sample_finding" (
    "id" UUID NOT NULL,
    "sample_sha256" TEXT NOT NULL,
    "image_id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "layer_index" INTEGER NOT NULL,
    "layer_diff_id" TEXT NOT NULL,
    "created_by" TEXT,
    "deleted_in_layer" INTEGER,
    "status" "finding_status" NOT NULL DEFAULT 'open',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "sample_finding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "finding_category_status_priority_idx" ON "finding"("category", "status", "priority");

-- CreateIndex
CREATE INDEX "finding_image_id_status_idx" ON "finding"("image_id", "status");

-- CreateIndex
CREATE INDEX "finding_vulnerability_id_status_idx" ON "finding"("vulnerability_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "finding_vulnerability_id_image_id_purl_path_key" ON "finding"("vulnerability_id", "image_id", "purl", "path");

-- CreateIndex
CREATE INDEX "malicious_sample_severity_idx" ON "malicious_sample"("severity");

-- CreateIndex
CREATE INDEX "sample_finding_image_id_status_idx" ON "sample_finding"("image_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "sample_finding_sample_sha256_image_id_path_key" ON "sample_finding"("sample_sha256", "image_id", "path");

-- AddForeignKey
ALTER TABLE "finding" ADD CONSTRAINT "finding_vulnerability_id_fkey" FOREIGN KEY ("vulnerability_id") REFERENCES "vulnerability"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finding" ADD CONSTRAINT "finding_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sample_finding" ADD CONSTRAINT "sample_finding_sample_sha256_fkey" FOREIGN KEY ("sample_sha256") REFERENCES "malicious_sample"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sample_finding" ADD CONSTRAINT "sample_finding_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Fuzzy search on vulnerability id/title and package names (pg_trgm).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "vulnerability_search_trgm" ON "vulnerability" USING gin ((lower("id" || ' ' || "title")) gin_trgm_ops);
CREATE INDEX "finding_package_trgm" ON "finding" USING gin (lower("package_name") gin_trgm_ops);
CREATE INDEX "malicious_sample_name_trgm" ON "malicious_sample" USING gin (lower("name" || ' ' || "category") gin_trgm_ops);
