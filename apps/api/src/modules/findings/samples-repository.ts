import type { ListSamplesQuerySchema } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import type { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';

import {
  introducedBy,
  like,
  SEVERITY_RANK_SQL,
  sampleSeverityOf,
  scopeConditions,
  sql,
  where,
} from './findings-sql.ts';

/** The malicious samples tab: list and detail. */
export function createSamplesRepository(db: PrismaClient) {
  return {
    async listSamples(q: z.infer<typeof ListSamplesQuerySchema> & { visible?: Visibility }) {
      const conditions = [
        sql`sf.status = ${q.status}::finding_status`,
        ...scopeConditions(q),
        ...introducedBy(q.introducedBy, 'sf'),
      ];
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
  };
}
