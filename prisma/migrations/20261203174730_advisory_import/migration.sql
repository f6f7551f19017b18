-- CreateTable
CREATE TABLE "advisory_import" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "trigger" TEXT NOT NULL DEFAULT 'manual',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "progress" JSONB NOT NULL DEFAULT '{}',
    "warnings" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "requested_by" TEXT,
    "rematch_scan_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "advisory_import_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "advisory_import_created_at_idx" ON "advisory_import"("created_at");

