-- AlterTable
ALTER TABLE "image" ADD COLUMN     "advisory_db" JSONB;

-- AlterTable
ALTER TABLE "scan_job" ADD COLUMN     "advisory_db" JSONB;

-- AlterTable
ALTER TABLE "vulnerability" ADD COLUMN     "severity_source" TEXT,
ADD COLUMN     "title_source" TEXT;

-- AlterTable
ALTER TABLE "advisory_import" ADD COLUMN     "totals" JSONB;

