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

-- Keep fix_action_image equal to the fix plan's per-image actions for every image a statement
-- touched: its open findings with a published fix, each under every action that removes it —
-- upgrade the package; rebuild from a newer base (findings in the base layers the lineage found,
-- keyed by the top base layer's chain id); change the Dockerfile step of the image's own layer.
CREATE OR REPLACE FUNCTION refresh_fix_actions(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM image_finding_stat WHERE image_id = ANY(ids);
  INSERT INTO image_finding_stat (image_id, category, open, fixable)
  SELECT f.image_id, f.category, count(*), count(f.fixed_version) FROM finding f
  WHERE f.image_id = ANY(ids) AND f.status = 'open' GROUP BY f.image_id, f.category;
  DELETE FROM fix_action_image WHERE image_id = ANY(ids);
  INSERT INTO fix_action_image (image_id, akey, kind, category, package_type, package_name,
    layer_key, created_by, base_name, findings, high, kev, clears, vulnerabilities, packages)
  WITH open AS (
    SELECT f.image_id, f.category, f.package_type, f.package_name, f.fixed_version, f.priority,
           f.vulnerability_id, f.layer_index, f.created_by, v.known_exploited,
           i.base_layer_count, i.base_name
    FROM finding f JOIN vulnerability v ON v.id = f.vulnerability_id JOIN image i ON i.id = f.image_id
    WHERE f.image_id = ANY(ids) AND f.status = 'open'
  ),
  fixable AS (
    SELECT o.*, o.package_type || ' ' || o.package_name || ' ' || o.fixed_version AS pkg
    FROM open o WHERE o.fixed_version IS NOT NULL
  ),
  base_top AS (
    SELECT i.id AS image_id, l.chain_id, l.diff_id, l.created_by
    FROM image i JOIN image_layer l ON l.image_id = i.id AND l.position = i.base_layer_count - 1
    WHERE i.id = ANY(ids) AND i.base_layer_count > 0
  ),
  actions AS (
    SELECT image_id, 'upgrade|' || category || '|' || package_type || '|' || package_name AS akey,
           'upgrade' AS kind, category, package_type, package_name, NULL::text AS layer_key,
           NULL::text AS created_by, NULL::text AS base_name, fixed_version, vulnerability_id,
           priority, known_exploited, pkg
    FROM fixable
    UNION ALL
    SELECT x.image_id, 'rebase|' || x.category || '|' || coalesce(b.chain_id, b.diff_id), 'rebase',
           x.category, NULL, NULL, b.diff_id, b.created_by, x.base_name, x.fixed_version,
           x.vulnerability_id, x.priority, x.known_exploited, x.pkg
    FROM fixable x JOIN base_top b ON b.image_id = x.image_id
    WHERE x.layer_index < x.base_layer_count
    UNION ALL
    SELECT image_id, 'step|' || category || '|' || md5(created_by), 'step', category, NULL, NULL,
           md5(created_by), created_by, NULL, fixed_version, vulnerability_id, priority,
           known_exploited, pkg
    FROM fixable WHERE created_by IS NOT NULL AND layer_index >= base_layer_count
  )
  SELECT a.image_id, a.akey, min(a.kind), min(a.category), min(a.package_type), min(a.package_name),
         min(a.layer_key), max(a.created_by), max(a.base_name), count(*)::int,
         (count(*) FILTER (WHERE a.priority = 'high'))::int,
         (count(*) FILTER (WHERE a.known_exploited))::int,
         count(*) = max(t.open), array_agg(DISTINCT a.vulnerability_id),
         array_agg(DISTINCT a.pkg)
  FROM actions a JOIN image_finding_stat t ON t.image_id = a.image_id AND t.category = a.category
  GROUP BY a.image_id, a.akey;
  -- Pairs new to the fleet-wide lists (in key order: concurrent scans never wait on each other
  -- in a cycle); pairs no image has any more go with prune_fix_action_vulnerabilities().
  INSERT INTO fix_action_vulnerability (akey, vulnerability_id)
  SELECT DISTINCT a.akey, x FROM fix_action_image a, unnest(a.vulnerabilities) x
  WHERE a.image_id = ANY(ids) ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  INSERT INTO fix_action_package (akey, package)
  SELECT DISTINCT a.akey, x FROM fix_action_image a, unnest(a.packages) x
  WHERE a.image_id = ANY(ids) ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
$$;

-- The fleet-wide lists (vulnerabilities and packages) made exact again (the worker's minute
-- tick): the pairs no image has.
-- The lock waits for scans still adding pairs (and holds new ones back for the moment this
-- takes), so a pair an uncommitted scan relies on is never pruned under it.
CREATE OR REPLACE FUNCTION prune_fix_action_vulnerabilities() RETURNS bigint LANGUAGE sql AS $$
  LOCK TABLE fix_action_vulnerability, fix_action_package IN SHARE ROW EXCLUSIVE MODE;
  WITH exact AS (
    SELECT DISTINCT d.akey, x AS vulnerability_id
    FROM (SELECT DISTINCT akey, vulnerabilities FROM fix_action_image) d, unnest(d.vulnerabilities) x
  ),
  exact_packages AS (
    SELECT DISTINCT d.akey, x AS package
    FROM (SELECT DISTINCT akey, packages FROM fix_action_image) d, unnest(d.packages) x
  ),
  gone AS (
    DELETE FROM fix_action_vulnerability v
    WHERE NOT EXISTS (SELECT 1 FROM exact e WHERE e.akey = v.akey AND e.vulnerability_id = v.vulnerability_id)
    RETURNING 1
  ),
  gone_packages AS (
    DELETE FROM fix_action_package p
    WHERE NOT EXISTS (SELECT 1 FROM exact_packages e WHERE e.akey = p.akey AND e.package = p.package)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM gone_packages);
$$;

-- The triggers only note which images changed (cheap, whatever the statement's size); the rows
-- are refreshed by refresh_dirty_fix_actions(): the fix plan itself for a few images, the worker
-- after each scan and on its minute tick for the rest. Noted in id order: concurrent statements
-- never wait on each other in a cycle.
CREATE OR REPLACE FUNCTION mark_fix_actions_dirty(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO fix_action_dirty (image_id)
  SELECT DISTINCT x FROM unnest(ids) x WHERE x IS NOT NULL ORDER BY 1
  ON CONFLICT DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION finding_fix_actions_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_fix_actions_dirty(ARRAY(SELECT DISTINCT image_id FROM new_rows));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finding_fix_actions_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Deleted with their image: the image's rows went with it (foreign key cascade).
  PERFORM mark_fix_actions_dirty(ARRAY(
    SELECT DISTINCT o.image_id FROM old_rows o WHERE EXISTS (SELECT 1 FROM image i WHERE i.id = o.image_id)));
  RETURN NULL;
END $$;

-- An image's lineage decides which findings a newer base removes and which its own steps do.
CREATE OR REPLACE FUNCTION image_fix_actions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_fix_actions_dirty(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.base_layer_count IS DISTINCT FROM o.base_layer_count
       OR n.base_name IS DISTINCT FROM o.base_name));
  RETURN NULL;
END $$;

-- A vulnerability that becomes known-exploited (or stops being) changes its images' KEV counts.
CREATE OR REPLACE FUNCTION vulnerability_fix_actions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_fix_actions_dirty(ARRAY(
    SELECT DISTINCT f.image_id FROM finding f
    JOIN new_rows n ON n.id = f.vulnerability_id JOIN old_rows o ON o.id = n.id
    WHERE n.known_exploited IS DISTINCT FROM o.known_exploited AND f.status = 'open'));
  RETURN NULL;
END $$;

-- Claims up to `batch` noted images (skipping those another refresher holds), refreshes their
-- rows, and returns how many it refreshed. Run in its own transaction.
CREATE OR REPLACE FUNCTION refresh_dirty_fix_actions(batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  claimed uuid[];
BEGIN
  WITH c AS (
    DELETE FROM fix_action_dirty d WHERE d.image_id IN (
      SELECT image_id FROM fix_action_dirty ORDER BY image_id LIMIT batch FOR UPDATE SKIP LOCKED)
    RETURNING d.image_id)
  SELECT coalesce(array_agg(image_id ORDER BY image_id), '{}') INTO claimed FROM c;
  IF cardinality(claimed) > 0 THEN
    PERFORM refresh_fix_actions(claimed);
  END IF;
  RETURN cardinality(claimed);
END $$;

DROP TRIGGER IF EXISTS finding_fix_actions_insert ON finding;
DROP TRIGGER IF EXISTS finding_fix_actions_update ON finding;
DROP TRIGGER IF EXISTS finding_fix_actions_delete ON finding;
DROP TRIGGER IF EXISTS image_fix_actions_update ON image;
DROP TRIGGER IF EXISTS vulnerability_fix_actions_update ON vulnerability;
CREATE TRIGGER finding_fix_actions_insert AFTER INSERT ON finding
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_fix_actions_new();
CREATE TRIGGER finding_fix_actions_update AFTER UPDATE ON finding
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_fix_actions_new();
CREATE TRIGGER finding_fix_actions_delete AFTER DELETE ON finding
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_fix_actions_old();
CREATE TRIGGER image_fix_actions_update AFTER UPDATE ON image
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION image_fix_actions();
CREATE TRIGGER vulnerability_fix_actions_update AFTER UPDATE ON vulnerability
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vulnerability_fix_actions();

-- First time (table empty, open findings present): fill it.
SELECT refresh_fix_actions(ARRAY(SELECT DISTINCT image_id FROM finding WHERE status = 'open'))
WHERE NOT EXISTS (SELECT 1 FROM image_finding_stat);
