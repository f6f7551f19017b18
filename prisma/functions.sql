-- Repeatable database functions and triggers, applied after `prisma migrate deploy` on every start
-- (idempotent). Prisma's migration runner splits on semicolons and cannot run these bodies.
-- `priority_rank(text)` is created before this file from the contract's PRIORITY_RANK
-- (packages/db/src/migrate.ts), so the ranking has one definition.

-- Keep vulnerability_tab_stat equal to the aggregate of `finding` for every vulnerability a
-- statement touched (statement-level triggers with transition tables: one recompute per statement).
CREATE OR REPLACE FUNCTION refresh_vulnerability_tab_stat(ids text[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM vulnerability_tab_stat WHERE vulnerability_id = ANY(ids);
  INSERT INTO vulnerability_tab_stat (category, status, vulnerability_id, prank, images, packages, fixable, last_seen_at)
  SELECT f.category, f.status, f.vulnerability_id,
         max(priority_rank(f.priority::text)),
         count(DISTINCT f.image_id), count(*), bool_or(f.fixed_version IS NOT NULL), max(f.last_seen_at)
  FROM finding f WHERE f.vulnerability_id = ANY(ids)
  GROUP BY f.category, f.status, f.vulnerability_id;
$$;

CREATE OR REPLACE FUNCTION finding_tab_stat_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_vulnerability_tab_stat(ARRAY(SELECT DISTINCT vulnerability_id FROM new_rows));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finding_tab_stat_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_vulnerability_tab_stat(ARRAY(SELECT DISTINCT vulnerability_id FROM old_rows));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS finding_tab_stat_insert ON finding;
DROP TRIGGER IF EXISTS finding_tab_stat_update ON finding;
DROP TRIGGER IF EXISTS finding_tab_stat_delete ON finding;
CREATE TRIGGER finding_tab_stat_insert AFTER INSERT ON finding
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_tab_stat_new();
CREATE TRIGGER finding_tab_stat_update AFTER UPDATE ON finding
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_tab_stat_new();
CREATE TRIGGER finding_tab_stat_delete AFTER DELETE ON finding
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_tab_stat_old();

-- First time (table empty, findings present): fill it.
SELECT refresh_vulnerability_tab_stat(ARRAY(SELECT DISTINCT vulnerability_id FROM finding))
WHERE NOT EXISTS (SELECT 1 FROM vulnerability_tab_stat);
