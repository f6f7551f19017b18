import {
  type ImageScopeQuerySchema,
  type ListImagesQuerySchema,
  type ListSamplesQuerySchema,
  type ListVulnerabilitiesQuery,
  PRIORITY_RANK,
  priorityOfRank,
  SAMPLE_SEVERITY_RANK,
  SampleSeveritySchema,
  SeveritySchema,
} from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleSql } from '../../auth/visibility.ts';

type Scope = z.infer<typeof ImageScopeQuerySchema> & { visible?: Visibility };
const sql = Prisma.sql;

const like = (value: string) => `%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Image filters shared by every list: instance, namespace, repository (substring), digest prefix. */
function scopeConditions(scope: Scope): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  const visible = visibleSql(scope.visible);
  if (visible) out.push(visible);
  if (scope.instanceId) out.push(sql`n.instance_id = ${scope.instanceId}::uuid`);
  if (scope.namespace) out.push(sql`lower(n.name) LIKE ${like(scope.namespace)}`);
  if (scope.repository) out.push(sql`lower(r.name) LIKE ${like(scope.repository)}`);
  if (scope.digest) {
    const digest = scope.digest.startsWith('sha256:') ? scope.digest : `sha256:${scope.digest}`;
    out.push(sql`i.digest LIKE ${`${digest}%`}`);
  }
  return out;
}

const where = (conditions: Prisma.Sql[]) =>
  conditions.length ? sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

const IMAGE_JOINS = sql`JOIN image i ON i.id = f.image_id
  LEFT JOIN repository r ON r.id = i.repository_id
  LEFT JOIN namespace n ON n.id = r.namespace_id`;

/** A column's rank as SQL, from one of the contract's rank tables (its keys are constants). */
const rankCase = (column: string, ranks: Record<string, number>) => {
  const arms = Object.entries(ranks).map(([k, v]) => {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`not a rank key: ${k}`);
    return `WHEN '${k}' THEN ${Number(v)}`;
  });
  return Prisma.raw(`CASE ${column}::text ${arms.join(' ')} ELSE 0 END`);
};
const PRIORITY_RANK_SQL = rankCase('f.priority', PRIORITY_RANK);
const severityOf = (s: string) => SeveritySchema.catch('unknown').parse(s);
const sampleSeverityOf = (s: string) => SampleSeveritySchema.catch('notice').parse(s);
const SEVERITY_RANK_SQL = rankCase('s.severity', SAMPLE_SEVERITY_RANK);

/** Fuzzy text on a vulnerability (alias `vv`): substring or trigram word similarity on id + title. */
const titleMatches = (n: string) =>
  sql`(lower(vv.id || ' ' || vv.title) LIKE ${like(n)} OR ${n} <% lower(vv.id || ' ' || vv.title))`;
/** Fuzzy text on a finding's package (alias `pf`), served by the trigram index on package_name. */
const packageMatches = (n: string) =>
  sql`(lower(pf.package_name) LIKE ${like(n)} OR lower(pf.package_name) % ${n})`;

interface TabRow {
  vulnerability_id: string;
  title: string;
  severity: string;
  known_exploited: boolean;
  prank: number;
  images: number | bigint;
  packages: number | bigint;
  fixable: boolean;
  last_scan: Date | null;
}

const toRow = (r: TabRow) => ({
  id: r.vulnerability_id,
  title: r.title,
  severity: severityOf(r.severity),
  priority: priorityOfRank(r.prank),
  tags: [
    r.fixable ? 'fix-available' : 'no-fix',
    ...(r.known_exploited ? ['known-exploited'] : []),
    ...(r.severity === 'critical' ? ['critical'] : []),
  ],
  affectedImages: Number(r.images),
  affectedPackages: Number(r.packages),
  lastScanAt: r.last_scan?.toISOString() ?? null,
});

export function createFindingsRepository(db: PrismaClient) {
  return {
    async listVulnerabilities(q: ListVulnerabilitiesQuery & { visible?: Visibility }) {
      const scope = scopeConditions(q);
      // Image tables are joined only when a filter needs them.
      const scoped = scope.length > 0;
      const conditions = [
        sql`f.category = ${q.category}`,
        sql`f.status = ${q.status}::finding_status`,
        ...scope,
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
        const rows = await db.$queryRaw<
          {
            vulnerability_id: string;
            title: string;
            severity: string;
            known_exploited: boolean;
            prank: number;
            images: number;
            packages: number;
            fixable: boolean;
            last_scan: Date | null;
            total: bigint;
          }[]
        >`
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
      const rows = await db.$queryRaw<
        {
          vulnerability_id: string;
          title: string;
          severity: string;
          known_exploited: boolean;
          prank: number;
          images: bigint;
          packages: bigint;
          fixable: boolean;
          last_scan: Date | null;
          total: bigint;
        }[]
      >`
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
        include: { image: { select: { id: true, digest: true, name: true } } },
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

    async listSamples(q: z.infer<typeof ListSamplesQuerySchema> & { visible?: Visibility }) {
      const conditions = [sql`sf.status = ${q.status}::finding_status`, ...scopeConditions(q)];
      if (q.severity?.length) conditions.push(sql`s.severity = ANY(${q.severity}::text[])`);
      if (q.name) {
        const n = q.name.toLowerCase();
        conditions.push(sql`(lower(s.name || ' ' || s.category) LIKE ${like(n)} OR lower(sf.path) LIKE ${like(n)}
          OR ${n} <% lower(s.name || ' ' || s.category))`);
      }
      const sortColumn = {
        severity: sql`srank`,
        images: sql`images`,
        lastScanAt: sql`last_seen`,
        name: sql`s.name`,
      }[q.sort];
      const direction = q.order === 'asc' ? sql`ASC` : sql`DESC`;
      const rows = await db.$queryRaw<
        {
          sha256: string;
          name: string;
          category: string;
          severity: string;
          srank: number;
          images: bigint;
          first_seen: Date;
          last_seen: Date;
          total: bigint;
        }[]
      >`
        SELECT s.sha256, s.name, s.category, s.severity, max(${SEVERITY_RANK_SQL}) AS srank,
               count(DISTINCT sf.image_id) AS images, min(sf.first_seen_at) AS first_seen,
               max(sf.last_seen_at) AS last_seen, count(*) OVER () AS total
        FROM sample_finding sf
        JOIN malicious_sample s ON s.sha256 = sf.sample_sha256
        JOIN image i ON i.id = sf.image_id
        LEFT JOIN repository r ON r.id = i.repository_id
        LEFT JOIN namespace n ON n.id = r.namespace_id
        ${where(conditions)}
        GROUP BY s.sha256
        ORDER BY ${sortColumn} ${direction}, images DESC, s.sha256
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      return {
        total: Number(rows[0]?.total ?? 0),
        items: rows.map((r) => ({
          sha256: r.sha256,
          name: r.name,
          category: r.category,
          severity: sampleSeverityOf(r.severity),
          affectedImages: Number(r.images),
          firstScanAt: r.first_seen.toISOString(),
          lastScanAt: r.last_seen.toISOString(),
          processingStatus: q.status,
        })),
      };
    },

    async sample(sha256: string, visible: Visibility) {
      return db.maliciousSample.findUnique({
        where: { sha256 },
        include: {
          findings: {
            where: { status: { not: 'resolved' }, image: visibleImageWhere(visible) },
            include: { image: { select: { id: true, digest: true, name: true } } },
            orderBy: { lastSeenAt: 'desc' },
            take: 500,
          },
        },
      });
    },

    /** Per-image counts: distinct vulnerabilities by row priority per tab, samples by severity. */
    async imageCounts(ids: string[]) {
      if (ids.length === 0) return new Map<string, ImageCounts>();
      const vulns = await db.$queryRaw<
        { image_id: string; category: string; prank: number; n: bigint }[]
      >`
        SELECT image_id, category, prank, count(*) AS n FROM (
          SELECT f.image_id, f.category, f.vulnerability_id, max(${PRIORITY_RANK_SQL}) AS prank
          FROM finding f WHERE f.image_id = ANY(${ids}::uuid[]) AND f.status = 'open'
          GROUP BY f.image_id, f.category, f.vulnerability_id) x
        GROUP BY image_id, category, prank`;
      const samples = await db.$queryRaw<{ image_id: string; severity: string; n: bigint }[]>`
        SELECT sf.image_id, s.severity, count(DISTINCT s.sha256) AS n
        FROM sample_finding sf JOIN malicious_sample s ON s.sha256 = sf.sample_sha256
        WHERE sf.image_id = ANY(${ids}::uuid[]) AND sf.status = 'open'
        GROUP BY sf.image_id, s.severity`;
      const out = new Map<string, ImageCounts>();
      for (const id of ids) out.set(id, emptyCounts());
      for (const v of vulns) {
        const c = out.get(v.image_id);
        const tab = v.category === 'system' ? c?.system : c?.application;
        if (tab) tab[priorityOfRank(v.prank)] += Number(v.n);
      }
      for (const s of samples) {
        const c = out.get(s.image_id);
        if (c && (s.severity === 'urgent' || s.severity === 'warning' || s.severity === 'notice'))
          c.malicious[s.severity] += Number(s.n);
      }
      return out;
    },

    async listImages(q: z.infer<typeof ListImagesQuerySchema> & { visible?: Visibility }) {
      const conditions = scopeConditions(q);
      if (q.name)
        conditions.push(sql`(lower(i.name) LIKE ${like(q.name)} OR i.digest LIKE ${like(q.name)})`);
      const rows = await db.$queryRaw<{ id: string; total: bigint }[]>`
        SELECT i.id, count(*) OVER () AS total FROM image i
        LEFT JOIN repository r ON r.id = i.repository_id
        LEFT JOIN namespace n ON n.id = r.namespace_id
        ${where(conditions)}
        ORDER BY i.last_scan_at DESC NULLS LAST, i.id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
    },

    async images(ids: string[]) {
      const images = await db.image.findMany({
        where: { id: { in: ids } },
        include: { repository: { include: { namespace: true } } },
      });
      const byId = new Map(images.map((i) => [i.id, i]));
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id) as (typeof images)[number]] : []));
    },

    async imageByDigest(digest: string, visible: Visibility) {
      return db.image.findFirst({
        where: { digest, ...visibleImageWhere(visible) },
        include: { repository: { include: { namespace: true } } },
        orderBy: { lastScanAt: 'desc' },
      });
    },

    async summary(visible: Visibility) {
      const scoped = visibleSql(visible);
      // Unscoped: the maintained aggregate. Scoped: the same counts over the visible images.
      const tabs = scoped
        ? await db.$queryRaw<{ category: string; prank: number; n: bigint }[]>`
            SELECT category, prank, count(*) AS n FROM (
              SELECT f.category, f.vulnerability_id, max(${PRIORITY_RANK_SQL}) AS prank FROM finding f
              ${IMAGE_JOINS} WHERE f.status = 'open' AND ${scoped}
              GROUP BY f.category, f.vulnerability_id) x
            GROUP BY category, prank`
        : await db.$queryRaw<{ category: string; prank: number; n: bigint }[]>`
            SELECT category, prank, count(*) AS n FROM vulnerability_tab_stat
            WHERE status = 'open' GROUP BY category, prank`;
      const samples = await db.$queryRaw<{ severity: string; n: bigint }[]>`
        SELECT s.severity, count(DISTINCT s.sha256) AS n FROM sample_finding sf
        JOIN malicious_sample s ON s.sha256 = sf.sample_sha256
        ${
          scoped
            ? sql`JOIN image i ON i.id = sf.image_id
          LEFT JOIN repository r ON r.id = i.repository_id
          LEFT JOIN namespace n ON n.id = r.namespace_id
          WHERE sf.status = 'open' AND ${scoped}`
            : sql`WHERE sf.status = 'open'`
        } GROUP BY s.severity`;
      const meta = await db.image.aggregate({
        where: visibleImageWhere(visible),
        _count: { _all: true },
        _max: { lastScanAt: true },
      });
      return { tabs, samples, images: meta._count._all, lastScanAt: meta._max.lastScanAt };
    },
  };
}

export interface ImageCounts {
  system: { high: number; medium: number; low: number };
  application: { high: number; medium: number; low: number };
  malicious: { urgent: number; warning: number; notice: number };
}
export const emptyCounts = (): ImageCounts => ({
  system: { high: 0, medium: 0, low: 0 },
  application: { high: 0, medium: 0, low: 0 },
  malicious: { urgent: 0, warning: 0, notice: 0 },
});
export type FindingsRepository = ReturnType<typeof createFindingsRepository>;
