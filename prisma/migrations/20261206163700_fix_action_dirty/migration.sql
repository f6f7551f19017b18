-- CreateTable
CREATE TABLE "fix_action_dirty" (
    "image_id" UUID NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fix_action_dirty_pkey" PRIMARY KEY ("image_id")
);

