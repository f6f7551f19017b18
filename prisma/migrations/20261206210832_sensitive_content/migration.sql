-- CreateTable
CREATE TABLE "sensitive_item" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "priority" "priority" NOT NULL,
    "fix" TEXT NOT NULL,
    "references" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "preview" TEXT,
    "secret_sha256" TEXT,
    "package_purl" TEXT,
    "vulnerabilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sensitive_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sensitive_finding" (
    "id" UUID NOT NULL,
    "item_id" TEXT NOT NULL,
    "image_id" UUID NOT NULL,
    "location" TEXT NOT NULL,
    "line" INTEGER NOT NULL DEFAULT 0,
    "layer_index" INTEGER,
    "layer_diff_id" TEXT,
    "created_by" TEXT,
    "deleted_in_layer" INTEGER,
    "deleted_by" TEXT,
    "description" TEXT NOT NULL,
    "status" "finding_status" NOT NULL DEFAULT 'open',
    "ignore_expires_at" TIMESTAMPTZ(3),
    "triage_decision" TEXT,
    "triage_justification" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "sensitive_finding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sensitive_item_kind_idx" ON "sensitive_item"("kind");

-- CreateIndex
CREATE INDEX "sensitive_finding_image_id_status_idx" ON "sensitive_finding"("image_id", "status");

-- CreateIndex
CREATE INDEX "sensitive_finding_item_id_status_idx" ON "sensitive_finding"("item_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "sensitive_finding_item_id_image_id_location_line_key" ON "sensitive_finding"("item_id", "image_id", "location", "line");

-- AddForeignKey
ALTER TABLE "sensitive_finding" ADD CONSTRAINT "sensitive_finding_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "sensitive_item"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sensitive_finding" ADD CONSTRAINT "sensitive_finding_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

