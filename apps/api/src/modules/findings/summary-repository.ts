import type { Priority } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleSql } from '../../auth/visibility.ts';

import { IMAGE_JOINS, PRIORITY_RANK_SQL, sql } from './findings-sql.ts';

/** Counts over everything a principal may see: the summary and the daily trend. */
export function createSummaryRepository(db: PrismaClient) {
  return {
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

    /** Vulnerability findings present at the end of each of the last `days` days, by priority. */
    async trend(days: number, end: Date, visible: Visibility) {
      const scoped = visibleSql(visible);
      const joins = scoped
        ? Prisma.sql`JOIN image i ON i.id = finding.image_id LEFT JOIN repository r ON r.id = i.repository_id
            LEFT JOIN namespace n ON n.id = r.namespace_id WHERE ${scoped}`
        : Prisma.empty;
      const closedJoins = scoped ? Prisma.sql`${joins} AND` : Prisma.sql`WHERE`;
      // One pass: a finding counts from its first day until the day it was resolved.
      const rows = await db.$queryRaw<{ day: Date; priority: string; n: bigint }[]>`
        WITH d AS (
          SELECT generate_series(date_trunc('day', ${end}::timestamptz) - make_interval(days => ${days - 1}),
                                 date_trunc('day', ${end}::timestamptz), interval '1 day') AS day
        ), opened AS (
          SELECT date_trunc('day', first_seen_at) AS day, priority::text, count(*) AS n
          FROM finding ${joins} GROUP BY 1, 2
        ), closed AS (
          SELECT date_trunc('day', resolved_at) AS day, priority::text, count(*) AS n
          FROM finding ${closedJoins} resolved_at IS NOT NULL GROUP BY 1, 2
        )
        SELECT d.day, p.priority,
          (SELECT coalesce(sum(n), 0) FROM opened o WHERE o.priority = p.priority AND o.day <= d.day)
          - (SELECT coalesce(sum(n), 0) FROM closed c WHERE c.priority = p.priority AND c.day <= d.day) AS n
        FROM d CROSS JOIN (VALUES ('high'), ('medium'), ('low')) AS p(priority)
        ORDER BY d.day`;
      const byDay = new Map<string, { day: string; high: number; medium: number; low: number }>();
      for (const r of rows) {
        const day = r.day.toISOString().slice(0, 10);
        const entry = byDay.get(day) ?? { day, high: 0, medium: 0, low: 0 };
        entry[r.priority as Priority] = Number(r.n);
        byDay.set(day, entry);
      }
      return { days: [...byDay.values()] };
    },
  };
}
