-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "scan_status" AS ENUM ('queued', 'running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "registry_instance" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "last_check_at" TIMESTAMPTZ(3),
    "last_check_ok" BOOLEAN,
    "last_check_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "registry_instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "namespace" (
    "id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "namespace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "repository" (
    "id" UUID NOT NULL,
    "namespace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "repository_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "image" (
    "id" UUID NOT NULL,
    "repository_id" UUID,
    "digest" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "platform" TEXT,
    "last_scan_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "layer" (
    "diff_id" TEXT NOT NULL,
    "size" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "layer_pkey" PRIMARY KEY ("diff_id")
);

-- CreateTable
CREATE TABLE "image_layer" (
    "image_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "diff_id" TEXT NOT NULL,
    "digest" TEXT,
    "created_by" TEXT,

    CONSTRAINT "image_layer_pkey" PRIMARY KEY ("image_id","position")
);

-- CreateTable
CREATE TABLE "scan_job" (
    "id" UUID NOT NULL,
    "image_id" UUID,
    "target" TEXT NOT NULL,
    "status" "scan_status" NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "queue_job_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "scan_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "registry_instance_name_key" ON "registry_instance"("name");

-- CreateIndex
CREATE UNIQUE INDEX "namespace_instance_id_name_key" ON "namespace"("instance_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "repository_namespace_id_name_key" ON "repository"("namespace_id", "name");

-- CreateIndex
CREATE INDEX "image_digest_idx" ON "image"("digest");

-- CreateIndex
CREATE UNIQUE INDEX "image_repository_id_digest_key" ON "image"("repository_id", "digest");

-- CreateIndex
CREATE INDEX "image_layer_diff_id_idx" ON "image_layer"("diff_id");

-- CreateIndex
CREATE INDEX "scan_job_status_idx" ON "scan_job"("status");

-- CreateIndex
CREATE INDEX "scan_job_image_id_idx" ON "scan_job"("image_id");

-- AddForeignKey
ALTER TABLE "namespace" ADD CONSTRAINT "namespace_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "registry_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "repository" ADD CONSTRAINT "repository_namespace_id_fkey" FOREIGN KEY ("namespace_id") REFERENCES "namespace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "image" ADD CONSTRAINT "image_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "image_layer" ADD CONSTRAINT "image_layer_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "image_layer" ADD CONSTRAINT "image_layer_diff_id_fkey" FOREIGN KEY ("diff_id") REFERENCES "layer"("diff_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_job" ADD CONSTRAINT "scan_job_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

