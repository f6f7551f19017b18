-- CreateTable
CREATE TABLE "rate_limit" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("key")
);


-- Counters only: not worth a write-ahead log entry per API request.
ALTER TABLE "rate_limit" SET UNLOGGED;
