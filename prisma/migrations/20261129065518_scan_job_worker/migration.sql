-- AlterTable
ALTER TABLE "scan_job" ADD COLUMN     "worker" TEXT;

