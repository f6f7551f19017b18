-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "ignore_expires_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "sample_finding" ADD COLUMN     "ignore_expires_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "triage_rule" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "scope_type" TEXT NOT NULL,
    "scope_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "triage_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "triage_event" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "finding_id" UUID,
    "image_id" UUID,
    "action" TEXT NOT NULL,
    "old_status" TEXT,
    "new_status" TEXT,
    "reason" TEXT,
    "scope" TEXT,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "triage_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "triage_rule_kind_target_id_idx" ON "triage_rule"("kind", "target_id");

-- CreateIndex
CREATE INDEX "triage_event_kind_target_id_at_idx" ON "triage_event"("kind", "target_id", "at");


-- The event log is append-only.
CREATE RULE triage_event_no_update AS ON UPDATE TO "triage_event" DO INSTEAD NOTHING;
CREATE RULE triage_event_no_delete AS ON DELETE TO "triage_event" DO INSTEAD NOTHING;
