import { type ListImagesQuerySchema, priorityOfRank } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import type { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';

import {
  emptyCounts,
  type ImageCounts,
  like,
  PRIORITY_RANK_SQL,
  scopeConditions,
  sql,
  where,
} from './findings-sql.ts';

/** Images: the list, their findings counts, one image by digest. */
export function createImagesRepository(db: PrismaClient) {
  return {
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
  };
}
