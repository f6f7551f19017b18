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

