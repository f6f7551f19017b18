-- AlterTable
ALTER TABLE "registry_instance" ADD COLUMN     "event_secret_hash" TEXT,
ADD COLUMN     "last_event_at" TIMESTAMPTZ(3);

