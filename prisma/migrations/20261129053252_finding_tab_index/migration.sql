-- Covering index for the per-tab lists: group open findings of a category by vulnerability with
-- an index-only scan (priority, fix and last-seen read from the index).
CREATE INDEX IF NOT EXISTS "finding_tab_idx" ON "finding" ("category", "status", "vulnerability_id", "image_id")
  INCLUDE ("priority", "fixed_version", "last_seen_at");
