import {
  type FINDING_EXPORT_COLUMNS,
  type ListVulnerabilitiesQuery,
  PRIORITY_RANK,
} from '@drydock/contract';
import { bulkPool, Prisma, type PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';

import {
  IMAGE_JOINS,
  introducedBy,
  PRIORITY_RANK_SQL,
  packageMatches,
  type Scope,
  scopeConditions,
  sql,
  type TabRow,
  titleMatches,
  toRow,
  where,
} from './findings-sql.ts';

/**
 * A vulnerability tab's filter as SQL over findings `f` (image tables `i`, `r`, `n` joined when
 * `scoped`): the rows a list shows are the vulnerabilities whose findings match `conditions`,
 * grouped by vulnerability and kept by `having` (the priority filter is on the row's priority).
 */
export function vulnerabilityFilter(q: ListVulnerabilitiesQuery & { visible?: Visibility }) {
  const scope = scopeConditions(q);
  // Image tables are joined only when a filter needs them; the per-tab aggregate does not
  // know where a package was found, so that filter goes through the findings too.
  const scoped =
    scope.length > 0 ||
    q.found !== undefined ||
    q.introducedBy !== undefined ||
    q.decision !== undefined;
  const conditions = [
    sql`f.category = ${q.category}`,
    sql`f.status = ${q.status}::finding_status`,
    ...scope,
    ...(q.found ? [sql`f.declared = ${q.found === 'declared'}`] : []),
    ...introducedBy(q.introducedBy),
    ...(q.decision ? [sql`f.triage_decision = ${q.decision}`] : []),
  ];
  if (q.name) {
    // Resolve the fuzzy text through the trigram indexes (vulnerability id/title, finding package
    // name), then filter findings by the ids: never a similarity computed per finding row.
    const n = q.name.toLowerCase();
    // By vulnerability (as the aggregate path does): the few matching ids, then their findings
    // through the vulnerability index, instead of every finding whose package matches.
    conditions.push(sql`f.vulnerability_id IN (SELECT vv.id FROM vulnerability vv WHERE ${titleMatches(n)}
      UNION SELECT pf.vulnerability_id FROM finding pf WHERE ${packageMatches(n)})`);
  }
  const ranks = q.priority?.map((p) => PRIORITY_RANK[p]);
  const having = ranks?.length
    ? sql`HAVING max(${PRIORITY_RANK_SQL}) = ANY(${ranks}::int[])`
    : Prisma.empty;
  return { scoped, conditions, having, ranks };
}

interface ExportRow {
  id: string;
  vulnerability_id: string;
  title: string;
  severity: string;
  known_exploited: boolean;
  priority: string;
  package_type: string;
  package_name: string;
  installed_version: string;
  fixed_version: string | null;
  declared: boolean;
  path: string;
  layer_index: number;
  created_by: string | null;
  status: string;
  /** ISO 8601 UTC, formatted by the database (no Date per row). */
  first_seen_at: string;
  last_seen_at: string;
  image: string;
  digest: string;
  repository: string | null;
  namespace: string | null;
  triage_reason: string | null;
}

const toExportRow = (r: ExportRow): Record<(typeof FINDING_EXPORT_COLUMNS)[number], unknown> => ({
  vulnerability: r.vulnerability_id,
  title: r.title,
  severity: r.severity,
  priority: r.priority,
  knownExploited: r.known_exploited,
  packageType: r.package_type,
  package: r.package_name,
  installedVersion: r.installed_version,
  fixedVersion: r.fixed_version,
  foundIn: r.declared ? 'declared' : 'installed',
  path: r.path,
  image: r.image,
  digest: r.digest,
  repository: r.repository,
  namespace: r.namespace,
  layer: r.layer_index,
  layerStep: r.created_by,
  status: r.status,
  triageReason: r.triage_reason,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  findingId: r.id,
});

/** `to_char` pattern of `Date.toISOString()`. */
const ISO = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

/** The two vulnerability tabs: lists, details, impact and affected images. */
export function createVulnerabilitiesRepository(db: PrismaClient) {
  return {
    async listVulnerabilities(q: ListVulnerabilitiesQuery & { visible?: Visibility }) {
      const { scoped, conditions, having, ranks } = vulnerabilityFilter(q);
      const sortColumn = {
        priority: sql`prank`,
        images: sql`images`,
        lastScanAt: sql`last_scan`,
        id: sql`g.vulnerability_id`,
      }[q.sort];
      const direction = q.order === 'asc' ? sql`ASC` : sql`DESC`;
      if (!scoped) {
        // No image filter: the maintained per-tab aggregate answers. A name narrows it to the
        // vulnerabilities whose id/title, or one of whose packages, matches (trigram indexes).
        const n = q.name?.toLowerCase();
        const named = n
          ? sql`AND g.vulnerability_id IN (
              SELECT vv.id FROM vulnerability vv WHERE ${titleMatches(n)}
              UNION
              SELECT pf.vulnerability_id FROM finding pf WHERE ${packageMatches(n)})`
          : Prisma.empty;
        const rows = await db.$queryRaw<(TabRow & { total: bigint })[]>`
          SELECT g.vulnerability_id, g.prank, g.images, g.packages, g.fixable, g.last_seen_at AS last_scan,
                 v.title, v.severity, v.known_exploited, count(*) OVER () AS total
          FROM vulnerability_tab_stat g JOIN vulnerability v ON v.id = g.vulnerability_id
          WHERE g.category = ${q.category} AND g.status = ${q.status}::finding_status
            ${ranks?.length ? sql`AND g.prank = ANY(${ranks}::int[])` : Prisma.empty}
            ${named}
          ORDER BY ${sortColumn} ${direction}, g.images DESC, g.vulnerability_id ASC
          LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
        let total = Number(rows[0]?.total ?? 0);
        if (rows.length === 0 && q.page > 1) {
          const count = await db.$queryRaw<{ total: bigint }[]>`
            SELECT count(*) AS total FROM vulnerability_tab_stat g
            WHERE g.category = ${q.category} AND g.status = ${q.status}::finding_status
              ${ranks?.length ? sql`AND g.prank = ANY(${ranks}::int[])` : Prisma.empty}
              ${named}`;
          total = Number(count[0]?.total ?? 0);
        }
        return { total, items: rows.map(toRow) };
      }
      const rows = await db.$queryRaw<(TabRow & { total: bigint })[]>`
        WITH g AS (
          SELECT f.vulnerability_id, max(${PRIORITY_RANK_SQL}) AS prank, count(DISTINCT f.image_id) AS images,
                 count(*) AS packages, bool_or(f.fixed_version IS NOT NULL) AS fixable, max(f.last_seen_at) AS last_scan
          FROM finding f
          ${scoped ? IMAGE_JOINS : Prisma.empty}
          ${where(conditions)}
          GROUP BY f.vulnerability_id
          ${having}
        )
        SELECT g.*, v.title, v.severity, v.known_exploited, count(*) OVER () AS total
        FROM g JOIN vulnerability v ON v.id = g.vulnerability_id
        ORDER BY ${sortColumn} ${direction}, g.images DESC, g.vulnerability_id ASC
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0 && q.page > 1) {
        // Past the last page: still report the true total.
        const count = await db.$queryRaw<{ total: bigint }[]>`
          SELECT count(*) AS total FROM (
            SELECT f.vulnerability_id FROM finding f
            ${scoped ? IMAGE_JOINS : Prisma.empty}
            ${where(conditions)} GROUP BY f.vulnerability_id ${having}) x`;
        total = Number(count[0]?.total ?? 0);
      }
      return {
        total,
        items: rows.map(toRow),
      };
    },

    /**
     * Every finding a tab filter matches, one row per finding with what an analyst exports
     * (vulnerability, package, versions, image, layer, status, the last triage reason), in pages
     * of `batch` by keyset on the finding id (its primary key: no sort of what is left), so
     * memory stays flat however many rows.
     */
    async *exportFindings(q: ListVulnerabilitiesQuery & { visible?: Visibility }, batch = 5000) {
      const { conditions, having, ranks } = vulnerabilityFilter(q);
      // A priority filter keeps whole rows (the vulnerability's priority): resolve them once.
      let rowFilter = Prisma.empty;
      if (ranks?.length) {
        const ids = await db.$queryRaw<{ id: string }[]>`
          SELECT f.vulnerability_id AS id FROM finding f ${IMAGE_JOINS} ${where(conditions)}
          GROUP BY f.vulnerability_id ${having}`;
        rowFilter = sql`AND f.vulnerability_id = ANY(${ids.map((r) => r.id)}::text[])`;
      }
      // One read-only transaction and a cursor on a pg connection (Prisma's engine costs more
      // than the query at this volume): one snapshot of the filter, no sort, pages of `batch`;
      // the next page is fetched while the current one is written out.
      const query = sql`
        SELECT f.id, f.vulnerability_id, v.title, v.severity, v.known_exploited, f.priority::text AS priority,
               f.package_type, f.package_name, f.installed_version, f.fixed_version, f.declared,
               f.path, f.layer_index, f.created_by, f.status::text AS status,
               to_char(f.first_seen_at AT TIME ZONE 'UTC', ${ISO}) AS first_seen_at,
               to_char(f.last_seen_at AT TIME ZONE 'UTC', ${ISO}) AS last_seen_at,
               i.name AS image, i.digest, r.name AS repository, n.name AS namespace,
               -- Why it is ignored or handled (open findings have no standing reason).
               CASE WHEN f.status <> 'open' THEN (SELECT e.reason FROM triage_event e
                 WHERE e.finding_id = f.id ORDER BY e.at DESC, e.id DESC LIMIT 1) END AS triage_reason
        FROM finding f JOIN vulnerability v ON v.id = f.vulnerability_id ${IMAGE_JOINS}
        WHERE ${Prisma.join(conditions, ' AND ')} ${rowFilter}`;
      const client = await bulkPool(db).connect();
      let next: Promise<ExportRow[]> | undefined;
      const fetchPage = () =>
        client.query<ExportRow>(`FETCH FORWARD ${batch} FROM finding_export`).then((r) => r.rows);
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query(
          `DECLARE finding_export NO SCROLL CURSOR FOR ${query.text}`,
          query.values as unknown[],
        );
        let rows = await fetchPage();
        while (rows.length > 0) {
          next = rows.length === batch ? fetchPage() : undefined;
          yield rows.map(toExportRow);
          if (!next) return;
          rows = await next;
          next = undefined;
        }
      } finally {
        // Also when the download is abandoned: settle the prefetch, end the transaction.
        await next?.catch(() => undefined);
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    },

    async vulnerability(id: string) {
      return db.vulnerability.findUnique({ where: { id } });
    },

    async impact(id: string, visible: Visibility, limit = 500) {
      return db.finding.findMany({
        where: {
          vulnerabilityId: id,
          status: { not: 'resolved' },
          image: visibleImageWhere(visible),
        },
        include: {
          image: {
            select: { id: true, digest: true, name: true, baseLayerCount: true, baseName: true },
          },
        },
        orderBy: [{ priority: 'asc' }, { lastSeenAt: 'desc' }],
        take: limit,
      });
    },

    async vulnerabilityImages(id: string, q: Scope & { page: number; pageSize: number }) {
      const conditions = [
        sql`f.vulnerability_id = ${id}`,
        sql`f.status <> 'resolved'`,
        ...scopeConditions(q),
      ];
      const rows = await db.$queryRaw<{ id: string; total: bigint }[]>`
        SELECT i.id, count(*) OVER () AS total FROM image i
        LEFT JOIN repository r ON r.id = i.repository_id
        LEFT JOIN namespace n ON n.id = r.namespace_id
        WHERE EXISTS (SELECT 1 FROM finding f WHERE f.image_id = i.id AND ${Prisma.join(conditions.slice(0, 2), ' AND ')})
        ${conditions.length > 2 ? sql`AND ${Prisma.join(conditions.slice(2), ' AND ')}` : Prisma.empty}
        ORDER BY i.last_scan_at DESC NULLS LAST, i.id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
    },
  };
}
