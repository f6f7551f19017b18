-- AlterTable
ALTER TABLE "image" ADD COLUMN     "base_layer_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "base_name" TEXT;

-- AlterTable
ALTER TABLE "image_layer" ADD COLUMN     "chain_id" TEXT;

-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "triage_decision" TEXT,
ADD COLUMN     "triage_justification" TEXT;

-- AlterTable
ALTER TABLE "sample_finding" ADD COLUMN     "triage_decision" TEXT,
ADD COLUMN     "triage_justification" TEXT;

-- AlterTable
ALTER TABLE "triage_rule" ADD COLUMN     "decision" TEXT,
ADD COLUMN     "justification" TEXT;

-- AlterTable
ALTER TABLE "triage_event" ADD COLUMN     "decision" TEXT,
ADD COLUMN     "justification" TEXT;

-- CreateIndex
CREATE INDEX "image_layer_position_chain_id_idx" ON "image_layer"("position", "chain_id");

