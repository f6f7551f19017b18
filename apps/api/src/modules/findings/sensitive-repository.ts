import type { ListSensitiveQuerySchema } from '@drydock/contract';
import { PRIORITY_RANK } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import type { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleSql } from '../../auth/visibility.ts';
import {
  imageJoins,
  introducedBy,
  like,
  rankCase,
  scopeConditions,
  sql,
  where,
} from './findings-sql.ts';

const ITEM_RANK_SQL = rankCase('s.priority', PRIORITY_RANK);

/** The sensitive-content tab (secrets, configuration, ghost content): list, detail, counts. */
export function createSensitiveRepository(db: PrismaClient) {
  return {
    async listSensitive(q: z.infer<typeof ListSensitiveQuerySchema> & { visible?: Visibility }) {
      const conditions = [
        sql`sf.status = ${q.status}::finding_status`,
        ...scopeConditions(q),
        ...introducedBy(q.introducedBy, 'sf'),
      ];
      if (q.priority?.length) conditions.push(sql`s.priority::text = ANY(${q.priority}::text[])`);
      if (q.kind?.length) conditions.push(sql`s.kind = ANY(${q.kind}::text[])`);
      if (q.name) {
        const n = q.name.toLowerCase();
        conditions.push(sql`(lower(s.title || ' ' || s.category || ' ' || s.rule_id) LIKE ${like(n)}
          OR lower(sf.location) LIKE ${like(n)} OR ${n} <% lower(s.title || ' ' || s.category))`);
      }
      const sortColumn = {
        priority: sql`prank`,
        images: sql`images`,
        lastScanAt: sql`last_seen`,
        title: sql`s.title`,
      }[q.sort];
      const direction = q.order === 'asc' ? sql`ASC` : sql`DESC`;
      const rows = await db.$queryRaw<
        {
          id: string;
          kind: 'secret' | 'config' | 'ghost';
          rule_id: string;
          title: string;
          category: string;
          priority: 'high' | 'medium' | 'low';
          preview: string | null;
          prank: number;
          images: bigint;
          first_seen: Date;
          last_seen: Date;
          total: bigint;
        }[]
      >`
        SELECT s.id, s.kind, s.rule_id, s.title, s.category, s.priority::text AS priority, s.preview,
               max(${ITEM_RANK_SQL}) AS prank, count(DISTINCT sf.image_id) AS images,
               min(sf.first_seen_at) AS first_seen, max(sf.last_seen_at) AS last_seen,
               count(*) OVER () AS total
        FROM sensitive_finding sf
        JOIN sensitive_item s ON s.id = sf.item_id
        ${imageJoins('sf')}
        ${where(conditions)}
        GROUP BY s.id
        ORDER BY ${sortColumn} ${direction}, images DESC, s.id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      return {
        total: Number(rows[0]?.total ?? 0),
        items: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          ruleId: r.rule_id,
          title: r.title,
          category: r.category,
          priority: r.priority,
          preview: r.preview,
          affectedImages: Number(r.images),
          firstScanAt: r.first_seen.toISOString(),
          lastScanAt: r.last_seen.toISOString(),
          processingStatus: q.status,
        })),
      };
    },

    async sensitiveItem(id: string, visible: Visibility) {
      return db.sensitiveItem.findUnique({
        where: { id },
        include: {
          findings: {
            where: { status: { not: 'resolved' }, image: visibleImageWhere(visible) },
            include: { image: { select: { id: true, digest: true, name: true } } },
            orderBy: [{ lastSeenAt: 'desc' }, { location: 'asc' }],
            take: 500,
          },
        },
      });
    },

    /** Open sensitive rows by priority, over what the principal may see. */
    async sensitiveSummary(visible: Visibility) {
      const scoped = visibleSql(visible);
      return db.$queryRaw<{ priority: string; n: bigint }[]>`
        SELECT s.priority::text AS priority, count(DISTINCT s.id) AS n FROM sensitive_finding sf
        JOIN sensitive_item s ON s.id = sf.item_id
        ${scoped ? sql`${imageJoins('sf')} WHERE sf.status = 'open' AND ${scoped}` : sql`WHERE sf.status = 'open'`}
        GROUP BY s.priority`;
    },
  };
}
