import type { Category } from '@drydock/contract';
import { Prisma, type PrismaClient, pendingFixActions, refreshFixActions } from '@drydock/db';
import { imageJoins, type Scope, scopeConditions, sql } from './findings-sql.ts';

/** One candidate action as SQL counts it (before the service picks versions and ranks). */
export interface FixGroupRow {
  kind: 'upgrade' | 'rebase' | 'step';
  category: string;
  package_type: string | null;
  package_name: string | null;
  layer_key: string | null;
  created_by: string | null;
  base_name: string | null;
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
 * The fix plan's data, from the per-image aggregate `fix_action_image` (kept by triggers, see
 * prisma/functions.sql): open findings with a published fix, grouped by the action that removes
 * them — upgrade one package (by ecosystem and name), rebuild the images of one base from a newer
 * base (findings in the base layers lineage found), or change the Dockerfile step of the images'
 * own layers that installed them — with the images each touches and how many it leaves with no
 * open finding of the category. Counts first, over the few rows an image has; the lists (versions,
 * vulnerabilities, packages, images) only for the `limit` best-ranked actions.
 */
export function createFixPlanRepository(db: PrismaClient) {
  return {
    async fixGroups(q: Scope & { category?: Category }, limit: number) {
      const scope = scopeConditions(q);
      const conditions = [...(q.category ? [sql`a.category = ${q.category}`] : []), ...scope];
      const joins = scope.length ? imageJoins('a') : Prisma.empty;
      const filter = conditions.length
        ? sql`WHERE ${Prisma.join(conditions, ' AND ')}`
        : Prisma.empty;
      const scoped = conditions.length
        ? sql`AND ${Prisma.join(conditions, ' AND ')}`
        : Prisma.empty;
      /** One list of the chosen actions: from its fleet-wide table, or (scoped) the rows in scope. */
      const listOf = (column: string, table: string, value: string) =>
        scope.length
          ? sql`SELECT akey, array_agg(x ORDER BY x) AS ${Prisma.raw(column)} FROM (
              SELECT DISTINCT d.akey, x FROM (SELECT DISTINCT akey, ${Prisma.raw(column)} FROM mine) d,
              unnest(d.${Prisma.raw(column)}) x) y GROUP BY akey`
          : sql`SELECT akey, array_agg(${Prisma.raw(value)} ORDER BY ${Prisma.raw(value)}) AS ${Prisma.raw(column)}
              FROM ${Prisma.raw(table)} WHERE akey IN (SELECT akey FROM ranked) GROUP BY akey`;
      // Rank on the per-image rows' counts, then list (packages, vulnerabilities, images) for
      // the chosen few only. Images of a fleet repeat the same lists: each distinct one is
      // unnested once.
      return db.$queryRaw<FixGroupRow[]>`
        WITH ranked AS MATERIALIZED (
          SELECT a.akey, min(a.kind) AS kind, min(a.category) AS category,
                 min(a.package_type) AS package_type, min(a.package_name) AS package_name,
                 min(a.layer_key) AS layer_key, max(a.created_by) AS created_by,
                 max(a.base_name) AS base_name,
                 sum(a.findings) AS findings, count(*) AS images,
                 count(*) FILTER (WHERE a.clears) AS images_cleared,
                 sum(a.high) AS high, sum(a.kev) AS kev
          FROM fix_action_image a ${joins} ${filter}
          GROUP BY a.akey
          ORDER BY images_cleared DESC, images DESC, high DESC, kev DESC, findings DESC, a.akey
          LIMIT ${limit}
        ),
        -- Scoped: the rows of the chosen actions in scope (their lists and images come from them).
        mine AS MATERIALIZED (
          SELECT a.akey, a.image_id, a.findings, a.packages, a.vulnerabilities
          FROM fix_action_image a ${joins}
          WHERE ${scope.length > 0} AND a.akey IN (SELECT akey FROM ranked) ${scoped}
        ),
        -- Unscoped: the fleet-wide lists; scoped: the images' own.
        vulns AS (${listOf('vulnerabilities', 'fix_action_vulnerability', 'vulnerability_id')}),
        pkgs AS (${listOf('packages', 'fix_action_package', 'package')}),
        -- Its images with the most findings first (unscoped: from the index, 20 an action).
        top AS (${
          scope.length
            ? sql`SELECT akey, array_agg(image_id::text ORDER BY rn) AS top_images FROM (
                SELECT akey, image_id, row_number() OVER (PARTITION BY akey ORDER BY findings DESC, image_id) AS rn
                FROM mine) x
              WHERE rn <= 20 GROUP BY akey`
            : sql`SELECT r.akey, t.top_images FROM ranked r CROSS JOIN LATERAL (
                SELECT array_agg(image_id::text ORDER BY findings DESC, image_id) AS top_images FROM (
                  SELECT a.image_id, a.findings FROM fix_action_image a WHERE a.akey = r.akey
                  ORDER BY a.findings DESC, a.image_id LIMIT 20) l) t`
        })
        SELECT r.*, coalesce(vu.vulnerabilities, '{}') AS vulnerabilities, p.packages, t.top_images
        FROM ranked r JOIN pkgs p ON p.akey = r.akey
        LEFT JOIN vulns vu ON vu.akey = r.akey LEFT JOIN top t ON t.akey = r.akey
        ORDER BY r.images_cleared DESC, r.images DESC, r.high DESC, r.kev DESC, r.findings DESC, r.akey`;
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
        FROM finding_change c ${imageJoins('c')}
        WHERE ${Prisma.join(conditions, ' AND ')}
        GROUP BY c.category, c.package_name
        ORDER BY count(*) DESC, c.package_name LIMIT ${limit}`;
    },

    /** Open findings in scope with and without a published fix (from image_finding_stat). */
    async fixableCounts(q: Scope & { category?: Category }) {
      const scope = scopeConditions(q);
      const conditions = [...(q.category ? [sql`s.category = ${q.category}`] : []), ...scope];
      const [row] = await db.$queryRaw<{ fixable: bigint | null; open: bigint | null }[]>`
        SELECT sum(s.fixable) AS fixable, sum(s.open) AS open FROM image_finding_stat s
        ${scope.length ? imageJoins('s') : Prisma.empty}
        ${conditions.length ? sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty}`;
      const fixable = Number(row?.fixable ?? 0);
      return { fixable, unfixable: Number(row?.open ?? 0) - fixable };
    },

    /**
     * Brings the per-image rows up to date when few images changed since (the triggers only note
     * them); returns how many are still pending (left to the worker when many).
     */
    async catchUpFixActions(most = 500) {
      const pending = await pendingFixActions(db);
      if (pending === 0 || pending > most) return pending;
      await refreshFixActions(db, { batch: most });
      return pendingFixActions(db);
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
