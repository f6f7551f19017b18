-- AlterTable
ALTER TABLE "scan_job" DROP COLUMN "upload_path",
ADD COLUMN     "upload_id" UUID;

-- CreateTable
CREATE TABLE "upload" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "bytes" BIGINT,
    "sha256" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upload_chunk" (
    "upload_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "upload_chunk_pkey" PRIMARY KEY ("upload_id","seq")
);

-- CreateIndex
CREATE INDEX "scan_job_upload_id_idx" ON "scan_job"("upload_id");

-- AddForeignKey
ALTER TABLE "scan_job" ADD CONSTRAINT "scan_job_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "upload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upload_chunk" ADD CONSTRAINT "upload_chunk_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Tarballs are compressed already: store chunks out of line without trying to compress them.
ALTER TABLE "upload_chunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;
