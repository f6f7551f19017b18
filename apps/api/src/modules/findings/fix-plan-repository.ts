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
        upgrades AS (
          SELECT 'upgrade' AS kind, category, package_type, package_name,
                 NULL::text AS base_diff_id, NULL::text AS base_created_by, image_id,
                 fixed_version, vulnerability_id, priority, known_exploited,
                 package_type || ' ' || package_name || ' ' || fixed_version AS pkg
          FROM fixable
        ),
        rebases AS (
          SELECT 'rebase' AS kind, category, NULL::text, NULL::text, base_diff_id,
                 base_created_by, image_id, fixed_version, vulnerability_id, priority, known_exploited,
                 package_type || ' ' || package_name || ' ' || fixed_version
          FROM fixable
          WHERE category = 'system' AND layer_index = 0 AND base_diff_id IS NOT NULL
            AND base_diff_id IN (SELECT diff_id FROM image_layer WHERE position = 0
                                 GROUP BY diff_id HAVING count(*) > 1)
        ),
        steps AS (
          SELECT 'step' AS kind, category, NULL::text, NULL::text, md5(created_by) AS base_diff_id,
                 created_by AS base_created_by, image_id, fixed_version, vulnerability_id, priority,
                 known_exploited, package_type || ' ' || package_name || ' ' || fixed_version
          FROM fixable
          WHERE created_by IS NOT NULL AND layer_index >= base_layer_count
        ),
        actions AS (SELECT * FROM upgrades UNION ALL SELECT * FROM rebases UNION ALL SELECT * FROM steps),
        per_image AS (
          SELECT kind, category, package_type, package_name, base_diff_id, image_id, count(*) AS n
          FROM actions GROUP BY 1, 2, 3, 4, 5, 6
        ),
        cleared AS (
          SELECT p.kind, p.category, p.package_type, p.package_name, p.base_diff_id,
                 count(*) FILTER (WHERE p.n = t.n) AS images_cleared
          FROM per_image p JOIN totals t ON t.image_id = p.image_id AND t.category = p.category
          GROUP BY 1, 2, 3, 4, 5
        )
        SELECT a.kind, a.category, a.package_type, a.package_name, a.base_diff_id,
               max(a.base_created_by) AS base_created_by,
               array_agg(DISTINCT a.fixed_version) AS versions,
               array_agg(DISTINCT a.vulnerability_id) AS vulnerabilities,
               array_agg(DISTINCT a.pkg) AS packages,
               count(*) AS findings, count(DISTINCT a.image_id) AS images,
               max(c.images_cleared) AS images_cleared,
               count(*) FILTER (WHERE a.priority = 'high') AS high,
               count(*) FILTER (WHERE a.known_exploited) AS kev
        FROM actions a JOIN cleared c
          ON c.kind = a.kind AND c.category = a.category
         AND c.package_type IS NOT DISTINCT FROM a.package_type
         AND c.package_name IS NOT DISTINCT FROM a.package_name
         AND c.base_diff_id IS NOT DISTINCT FROM a.base_diff_id
        GROUP BY a.kind, a.category, a.package_type, a.package_name, a.base_diff_id
        ORDER BY max(c.images_cleared) DESC, count(DISTINCT a.image_id) DESC,
                 count(*) FILTER (WHERE a.priority = 'high') DESC, count(*) DESC
        LIMIT ${limit}`;
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

    /** The images an action touches (most of its findings first), at most `limit`. */
    async actionImages(
      q: Scope & { category?: Category },
      action: {
        kind: 'upgrade' | 'rebase' | 'step';
        packageType?: string;
        packageName?: string;
        baseDiffId?: string;
        step?: string;
      },
      limit = 20,
    ) {
      const conditions = [
        sql`f.status = 'open'`,
        sql`f.fixed_version IS NOT NULL`,
        ...(q.category ? [sql`f.category = ${q.category}`] : []),
        ...scopeConditions(q),
        action.kind === 'upgrade'
          ? sql`f.package_type = ${action.packageType} AND f.package_name = ${action.packageName}`
          : action.kind === 'step'
            ? sql`f.created_by = ${action.step} AND f.layer_index >= i.base_layer_count`
            : sql`f.category = 'system' AND f.layer_index = 0 AND EXISTS (SELECT 1 FROM image_layer b
              WHERE b.image_id = f.image_id AND b.position = 0 AND b.diff_id = ${action.baseDiffId})`,
      ];
      return db.$queryRaw<{ id: string; name: string; digest: string }[]>`
        SELECT i.id, i.name, i.digest FROM finding f ${IMAGE_JOINS}
        WHERE ${Prisma.join(conditions, ' AND ')}
        GROUP BY i.id, i.name, i.digest ORDER BY count(*) DESC, i.name LIMIT ${limit}`;
    },
  };
}
