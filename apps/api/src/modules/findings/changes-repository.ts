import type { ChangesQuery } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { scopeConditions, sql } from './findings-sql.ts';

export interface ChangeRowRecord {
  at: Date;
  kind: string;
  target_id: string;
  title: string | null;
  change: string;
  cause: string;
  category: string | null;
  package_name: string | null;
  installed_version: string | null;
  path: string | null;
  priority: string | null;
  image_id: string;
  image_name: string;
  image_digest: string;
  prev_id: string | null;
  prev_name: string | null;
  prev_digest: string | null;
}

/** What changed: the change records of a scan, an image or the fleet since a moment. */
export function createChangesRepository(db: PrismaClient) {
  const conditionsOf = (q: ChangesQuery & { visible?: Visibility }) => {
    const out = [...scopeConditions(q)];
    if (q.scanId) {
      out.push(
        sql`c.scan_job_id IN (SELECT si.scan_job_id FROM scan_item si WHERE si.scan_id = ${q.scanId}::uuid)`,
      );
    }
    if (q.imageId) out.push(sql`c.image_id = ${q.imageId}::uuid`);
    if (q.since) out.push(sql`c.at >= ${new Date(q.since)}`);
    if (q.change) out.push(sql`c.change = ${q.change}`);
    if (q.cause) out.push(sql`c.cause = ${q.cause}`);
    if (q.kind) out.push(sql`c.kind = ${q.kind}`);
    return out.length ? sql`WHERE ${Prisma.join(out, ' AND ')}` : Prisma.empty;
  };
  const FROM = sql`FROM finding_change c JOIN image i ON i.id = c.image_id
    LEFT JOIN repository r ON r.id = i.repository_id
    LEFT JOIN namespace n ON n.id = r.namespace_id`;
  return {
    async listChanges(q: ChangesQuery & { visible?: Visibility }) {
      const where = conditionsOf(q);
      // The page by the (at) index; the total comes from the summary's counts.
      const rows = await db.$queryRaw<ChangeRowRecord[]>`
        SELECT c.at, c.kind, c.target_id, c.change, c.cause, c.category, c.package_name,
               c.installed_version, c.path, c.priority, i.id AS image_id, i.name AS image_name,
               i.digest AS image_digest, p.id AS prev_id, p.name AS prev_name, p.digest AS prev_digest,
               COALESCE(v.title, s.name) AS title
        ${FROM}
        LEFT JOIN image p ON p.id = c.previous_image_id
        LEFT JOIN vulnerability v ON c.kind = 'vulnerability' AND v.id = c.target_id
        LEFT JOIN malicious_sample s ON c.kind = 'sample' AND s.sha256 = c.target_id
        ${where}
        ORDER BY c.at DESC, c.id DESC
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;
      const summary = await db.$queryRaw<
        { change: string; cause: string; kind: string; count: bigint }[]
      >`SELECT c.change, c.cause, c.kind, count(*) AS count ${FROM} ${where}
        GROUP BY c.change, c.cause, c.kind ORDER BY c.change, c.cause, c.kind`;
      const total = summary.reduce((n, s) => n + Number(s.count), 0);
      return { rows, total, summary };
    },
  };
}
