-- AlterTable
ALTER TABLE "triage_event" ADD COLUMN     "bulk_id" UUID;

-- CreateIndex
CREATE INDEX "triage_event_bulk_id_idx" ON "triage_event"("bulk_id");

-- CreateIndex
CREATE INDEX "triage_event_finding_id_at_idx" ON "triage_event"("finding_id", "at");

