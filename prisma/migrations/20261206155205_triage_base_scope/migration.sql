-- AlterTable
ALTER TABLE "triage_rule" ADD COLUMN     "limit_instance_ids" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "limit_namespace_ids" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "limited" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "scope_chain_id" TEXT;

