-- CreateTable
CREATE TABLE "advisory" (
    "id" TEXT NOT NULL,
    "modified" TIMESTAMPTZ(3) NOT NULL,
    "published" TIMESTAMPTZ(3),
    "withdrawn" TIMESTAMPTZ(3),
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "summary" TEXT,
    "record" JSONB NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advisory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "advisory_affected" (
    "id" BIGSERIAL NOT NULL,
    "advisory_id" TEXT NOT NULL,
    "ecosystem" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "advisory_affected_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "known_exploited" (
    "cve_id" TEXT NOT NULL,

    CONSTRAINT "known_exploited_pkey" PRIMARY KEY ("cve_id")
);

-- CreateTable
CREATE TABLE "cve_record" (
    "id" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "cvss_score" DOUBLE PRECISION,
    "cvss_vector" TEXT,
    "cvss_severity" TEXT,

    CONSTRAINT "cve_record_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "advisory_aliases_idx" ON "advisory" USING GIN ("aliases");

-- CreateIndex
CREATE INDEX "advisory_affected_ecosystem_name_idx" ON "advisory_affected"("ecosystem", "name");

-- CreateIndex
CREATE UNIQUE INDEX "advisory_affected_advisory_id_ecosystem_name_key" ON "advisory_affected"("advisory_id", "ecosystem", "name");

-- AddForeignKey
ALTER TABLE "advisory_affected" ADD CONSTRAINT "advisory_affected_advisory_id_fkey" FOREIGN KEY ("advisory_id") REFERENCES "advisory"("id") ON DELETE CASCADE ON UPDATE CASCADE;

