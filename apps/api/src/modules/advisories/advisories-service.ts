import { checkImportSource, SourceError } from '@drydock/advisories';
import type { AdvisoryFeeds, AdvisoryImport, AdvisoryStatus } from '@drydock/contract';
import {
  advisoryImportView,
  type PrismaClient,
  type Queue,
  queueAdvisoryImport,
} from '@drydock/db';
import { securityEvent } from '../../auth/security-log.ts';
import { NotFoundError, UnprocessableError } from '../../lib/errors.ts';

export interface AdvisoriesServiceDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  /** Folders an import may read (DRYDOCK_ADVISORY_MIRRORS); the worker checks again. */
  mirrorRoots: readonly string[];
  /** The scheduled refresh the workers run (shown in the status); null when off. */
  refresh?: (AdvisoryFeeds & { everyHours: number }) | null;
  /** What an import without a source reads: the configured feeds. */
  feeds?: AdvisoryFeeds;
}

/** The server's advisory database: what it holds, and imports (`drydock db update` on the server). */
export function createAdvisoriesService({
  prisma,
  queue,
  mirrorRoots,
  refresh = null,
  feeds,
}: AdvisoriesServiceDeps) {
  return {
    async status(): Promise<AdvisoryStatus> {
      const [meta, ecosystems, knownExploited, latest, lastGood] = await Promise.all([
        prisma.advisory.aggregate({ _count: { _all: true }, _max: { importedAt: true } }),
        prisma.$queryRaw<{ ecosystem: string; n: bigint }[]>`
          SELECT ecosystem, count(DISTINCT name) AS n FROM advisory_affected GROUP BY ecosystem ORDER BY ecosystem`,
        prisma.knownExploited.count(),
        prisma.advisoryImport.findFirst({ orderBy: { createdAt: 'desc' } }),
        prisma.advisoryImport.findFirst({
          where: { status: 'succeeded' },
          orderBy: { finishedAt: 'desc' },
          select: { finishedAt: true },
        }),
      ]);
      // The database is as new as its last successful import (an import that changed nothing
      // still refreshes it); databases filled before imports were recorded: the newest record.
      const lastImportAt = lastGood?.finishedAt ?? meta._max.importedAt;
      return {
        advisories: meta._count._all,
        ecosystems: ecosystems.map((e) => ({ ecosystem: e.ecosystem, packages: Number(e.n) })),
        knownExploited,
        lastImportAt: lastImportAt?.toISOString() ?? null,
        latestImport: latest ? advisoryImportView(latest) : null,
        refresh,
        feeds: feeds ?? null,
      };
    },

    /** The newest imports, manual and scheduled, with their progress or outcome. */
    async imports(): Promise<AdvisoryImport[]> {
      const rows = await prisma.advisoryImport.findMany({
        orderBy: { createdAt: 'desc' },
        take: 20,
      });
      return rows.map(advisoryImportView);
    },

    async importById(id: string): Promise<AdvisoryImport> {
      const row = await prisma.advisoryImport.findUnique({ where: { id } });
      if (!row) throw new NotFoundError(`No advisory import ${id}`);
      return advisoryImportView(row);
    },

    /**
     * Queues an import from an allowed source; a refused one is logged and answered 422. No
     * source (or the configured one): the configured feeds, KEV and CVE records included.
     */
    async queueImport(
      given: string | undefined,
      actor: { name: string; ip: string },
    ): Promise<{ jobId: string; importId: string }> {
      const source = given ?? feeds?.source;
      if (!source) {
        throw new UnprocessableError(
          'source_required',
          'no advisory source is configured: name one',
        );
      }
      const configured = feeds && source === feeds.source ? feeds : undefined;
      try {
        for (const url of [
          source,
          configured?.kev,
          configured?.cve?.replace('{id}', 'CVE-2000-0001'),
        ]) {
          if (url) await checkImportSource(url, { roots: mirrorRoots });
        }
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        await securityEvent(prisma, {
          actor: actor.name,
          action: 'advisories.import',
          outcome: 'denied',
          target: source.slice(0, 300),
          ip: actor.ip,
          detail: { reason: error.message },
        });
        throw new UnprocessableError('source_refused', error.message);
      }
      return queueAdvisoryImport(prisma, queue, {
        source,
        kev: configured?.kev ?? null,
        cve: configured?.cve ?? null,
        trigger: 'manual',
        requestedBy: actor.name,
      });
    },
  };
}

export type AdvisoriesService = ReturnType<typeof createAdvisoriesService>;
