import { checkImportSource, SourceError } from '@drydock/advisories';
import {
  AdvisoryImportRequestSchema,
  AdvisoryStatusSchema,
  JobAcceptedSchema,
  TrendQuerySchema,
  TrendSchema,
} from '@drydock/contract';
import { Prisma, type PrismaClient, type Queue } from '@drydock/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import { securityEvent } from '../../auth/security-log.ts';
import { visibleSql } from '../../auth/visibility.ts';
import { UnprocessableError } from '../../lib/errors.ts';

/** Advisory database status and imports (the server's `drydock db update`), and the trend. */
export const advisoriesRoutes: FastifyPluginAsyncZod<{
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  /** Folders an import may read (DRYDOCK_ADVISORY_MIRRORS); the worker checks again. */
  mirrorRoots: readonly string[];
  now?: () => Date;
}> = async (app, { prisma, queue, mirrorRoots, now }) => {
  app.get(
    '/api/v1/advisories/status',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['advisories'],
        operationId: 'getAdvisoryStatus',
        response: { 200: AdvisoryStatusSchema },
      },
    },
    async () => {
      const [meta, ecosystems, knownExploited] = await Promise.all([
        prisma.advisory.aggregate({ _count: { _all: true }, _max: { importedAt: true } }),
        prisma.$queryRaw<{ ecosystem: string; n: bigint }[]>`
          SELECT ecosystem, count(DISTINCT name) AS n FROM advisory_affected GROUP BY ecosystem ORDER BY ecosystem`,
        prisma.knownExploited.count(),
      ]);
      return {
        advisories: meta._count._all,
        ecosystems: ecosystems.map((e) => ({ ecosystem: e.ecosystem, packages: Number(e.n) })),
        knownExploited,
        lastImportAt: meta._max.importedAt?.toISOString() ?? null,
      };
    },
  );
  app.post(
    '/api/v1/advisories/import',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['advisories'],
        operationId: 'importAdvisories',
        summary:
          'Queue an import from a folder under DRYDOCK_ADVISORY_MIRRORS or an http(s) mirror (not loopback or link-local); changed advisories re-match every scanned image',
        body: AdvisoryImportRequestSchema,
        response: { 202: JobAcceptedSchema },
      },
    },
    async (request, reply) => {
      try {
        await checkImportSource(request.body.source, { roots: mirrorRoots });
      } catch (error) {
        if (error instanceof SourceError) {
          await securityEvent(prisma, {
            actor: request.principal?.name ?? 'anonymous',
            action: 'advisories.import',
            outcome: 'denied',
            target: request.body.source.slice(0, 300),
            ip: request.ip,
            detail: { reason: error.message },
          });
          throw new UnprocessableError('source_refused', error.message);
        }
        throw error;
      }
      const jobId = await queue.send('advisories.import', { source: request.body.source });
      await app.audit(request, 'advisories.import', request.body.source);
      return reply.status(202).send({ jobId });
    },
  );
  app.get(
    '/api/v1/summary/trend',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['image-security'],
        operationId: 'getTrend',
        summary: 'Vulnerability findings present at the end of each day, by priority',
        querystring: TrendQuerySchema,
        response: { 200: TrendSchema },
      },
    },
    async (request) => {
      const days = request.query.days;
      const scoped = visibleSql(principalOf(request).visible);
      const joins = scoped
        ? Prisma.sql`JOIN image i ON i.id = finding.image_id LEFT JOIN repository r ON r.id = i.repository_id
            LEFT JOIN namespace n ON n.id = r.namespace_id WHERE ${scoped}`
        : Prisma.empty;
      const closedJoins = scoped ? Prisma.sql`${joins} AND` : Prisma.sql`WHERE`;
      const end = now ? now() : new Date();
      // One pass: a finding counts from its first day until the day it was resolved.
      const rows = await prisma.$queryRaw<{ day: Date; priority: string; n: bigint }[]>`
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
        entry[r.priority as 'high' | 'medium' | 'low'] = Number(r.n);
        byDay.set(day, entry);
      }
      return { days: [...byDay.values()] };
    },
  );
};
