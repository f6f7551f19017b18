-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "declared" BOOLEAN NOT NULL DEFAULT false;

