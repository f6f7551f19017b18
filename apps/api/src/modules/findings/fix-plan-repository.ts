import type { Category } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import { IMAGE_JOINS, type Scope, scopeConditions, sql } from './findings-sql.ts';

/** One candidate action as SQL counts it (before the service picks versions and ranks). */
export interface FixGroupRow {
  kind: 'upgrade' | 'rebase' | 'step';
  category: string;
  package_type: string | null;
  package_name: string | null;
  base_diff_id: string | null;
  base_created_by: string | null;
  versions: string[];
  vulnerabilities: string[];
  /** `type name fixedVersion` of every finding the action covers. */
  packages: string[];
  /** Up to 20 of its images, most findings first. */
  top_images: string[] | null;
  findings: bigint;
  images: bigint;
  images_cleared: bigint;
  high: bigint;
  kev: bigint;
}

/**
 * The fix plan's data: open findings with a published fix, grouped by the action that removes
 * them — upgrade one package (by ecosystem and name), rebuild every image on a shared base
 * layer from a newer base (system findings introduced by that layer), or change the Dockerfile
 * step of the images' own layers that installed them — with the images each
 * touches and how many it leaves with no open finding of the category.
 */
export function createFixPlanRepository(db: PrismaClient) {
  return {
    async fixGroups(q: Scope & { category?: Category }, limit: number) {
      const conditions = [
        sql`f.status = 'open'`,
        ...(q.category ? [sql`f.category = ${q.category}`] : []),
        ...scopeConditions(q),
      ];
      const where = Prisma.join(conditions, ' AND ');
      return db.$queryRaw<FixGroupRow[]>`
        WITH open AS (
          SELECT f.image_id, f.category, f.package_type, f.package_name, f.fixed_version,
                 f.priority, f.vulnerability_id, f.layer_index, v.known_exploited, f.created_by,
                 i.base_layer_count
          FROM finding f JOIN vulnerability v ON v.id = f.vulnerability_id ${IMAGE_JOINS}
          WHERE ${where}
        ),
        totals AS (SELECT image_id, category, count(*) AS n FROM open GROUP BY image_id, category),
        fixable AS (
          SELECT o.*, b.diff_id AS base_diff_id, b.created_by AS base_created_by
          FROM open o LEFT JOIN image_layer b ON b.image_id = o.image_id AND b.position = 0
          WHERE o.fixed_version IS NOT NULL
        ),
        shared_base AS (
          SELECT diff_id FROM image_layer WHERE position = 0 GROUP BY diff_id HAVING count(*) > 1
        ),
        -- One row per finding and action that clears it, keyed by one text key (hash joins).
        actions AS (
          SELECT 'upgrade|' || category || '|' || package_type || '|' || package_name AS akey,
                 'upgrade' AS kind, category, package_type, package_name,
                 NULL::text AS base_diff_id, NULL::text AS base_created_by, image_id,
                 fixed_version, vulnerability_id, priority, known_exploited,
                 package_type || ' ' || package_name || ' ' || fixed_version AS pkg
          FROM fixable
          UNION ALL
          SELECT 'rebase|' || category || '|' || base_diff_id, 'rebase', category, NULL, NULL,
                 base_diff_id, base_created_by, image_id, fixed_version, vulnerability_id, priority,
                 known_exploited, package_type || ' ' || package_name || ' ' || fixed_version
          FROM fixable
          WHERE category = 'system' AND layer_index = 0
            AND base_diff_id IN (SELECT diff_id FROM shared_base)
          UNION ALL
          SELECT 'step|' || category || '|' || md5(created_by), 'step', category, NULL, NULL,
                 md5(created_by), created_by, image_id, fixed_version, vulnerability_id, priority,
                 known_exploited, package_type || ' ' || package_name || ' ' || fixed_version
          FROM fixable
          WHERE created_by IS NOT NULL AND layer_index >= base_layer_count
        ),
        per_image AS (
          SELECT akey, category, image_id, count(*) AS n FROM actions GROUP BY akey, category, image_id
        ),
        cleared AS (
          SELECT p.akey, count(*) AS images, count(*) FILTER (WHERE p.n = t.n) AS images_cleared
          FROM per_image p JOIN totals t ON t.image_id = p.image_id AND t.category = p.category
          GROUP BY p.akey
        ),
        groups AS (
          SELECT akey, min(kind) AS kind, min(category) AS category, min(package_type) AS package_type,
                 min(package_name) AS package_name, min(base_diff_id) AS base_diff_id,
                 max(base_created_by) AS base_created_by,
                 array_agg(DISTINCT fixed_version) AS versions,
                 array_agg(DISTINCT vulnerability_id) AS vulnerabilities,
                 array_agg(DISTINCT pkg) AS packages, count(*) AS findings,
                 count(*) FILTER (WHERE priority = 'high') AS high,
                 count(*) FILTER (WHERE known_exploited) AS kev
          FROM actions GROUP BY akey
        ),
        ranked AS (
          SELECT g.*, c.images, c.images_cleared FROM groups g JOIN cleared c ON c.akey = g.akey
          ORDER BY c.images_cleared DESC, c.images DESC, g.high DESC, g.findings DESC
          LIMIT ${limit}
        ),
        -- The images of each ranked action, most of its findings first (at most 20).
        top AS (
          SELECT akey, array_agg(image_id::text ORDER BY rn) AS top_images FROM (
            SELECT p.akey, p.image_id,
                   row_number() OVER (PARTITION BY p.akey ORDER BY p.n DESC, p.image_id) AS rn
            FROM per_image p WHERE p.akey IN (SELECT akey FROM ranked)) x
          WHERE rn <= 20 GROUP BY akey
        )
        SELECT r.*, t.top_images FROM ranked r LEFT JOIN top t ON t.akey = r.akey
        ORDER BY r.images_cleared DESC, r.images DESC, r.high DESC, r.findings DESC`;
    },

    /** Findings scans resolved since `since` (what changed), by package. */
    async clearedSince(q: Scope & { category?: Category }, since: Date, limit = 20) {
      const conditions = [
        sql`c.change = 'resolved'`,
        sql`c.kind = 'vulnerability'`,
        sql`c.at >= ${since}`,
        ...(q.category ? [sql`c.category = ${q.category}`] : []),
        ...scopeConditions(q),
      ];
      return db.$queryRaw<
        {
          category: string | null;
          package_name: string | null;
          findings: bigint;
          images: bigint;
          last_at: Date;
        }[]
      >`
        SELECT c.category, c.package_name, count(*) AS findings, count(DISTINCT c.image_id) AS images,
               max(c.at) AS last_at
        FROM finding_change c JOIN image i ON i.id = c.image_id
        LEFT JOIN repository r ON r.id = i.repository_id
        LEFT JOIN namespace n ON n.id = r.namespace_id
        WHERE ${Prisma.join(conditions, ' AND ')}
        GROUP BY c.category, c.package_name
        ORDER BY count(*) DESC, c.package_name LIMIT ${limit}`;
    },

    /** Open findings in scope with and without a published fix. */
    async fixableCounts(q: Scope & { category?: Category }) {
      const conditions = [
        sql`f.status = 'open'`,
        ...(q.category ? [sql`f.category = ${q.category}`] : []),
        ...scopeConditions(q),
      ];
      const [row] = await db.$queryRaw<{ fixable: bigint; unfixable: bigint }[]>`
        SELECT count(*) FILTER (WHERE f.fixed_version IS NOT NULL) AS fixable,
               count(*) FILTER (WHERE f.fixed_version IS NULL) AS unfixable
        FROM finding f ${IMAGE_JOINS} WHERE ${Prisma.join(conditions, ' AND ')}`;
      return { fixable: Number(row?.fixable ?? 0), unfixable: Number(row?.unfixable ?? 0) };
    },

    /** Names and digests of images, by id. */
    async imageRefs(ids: string[]) {
      if (ids.length === 0) return new Map<string, { id: string; name: string; digest: string }>();
      const rows = await db.image.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, digest: true },
      });
      return new Map(rows.map((r) => [r.id, r]));
    },
  };
}
