-- AlterTable
ALTER TABLE "image" ADD COLUMN     "warnings" JSONB NOT NULL DEFAULT '[]';

