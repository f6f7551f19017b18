import { checkImportSource, SourceError } from '@drydock/advisories';
import type { AdvisoryStatus } from '@drydock/contract';
import type { PrismaClient, Queue } from '@drydock/db';
import { securityEvent } from '../../auth/security-log.ts';
import { UnprocessableError } from '../../lib/errors.ts';

export interface AdvisoriesServiceDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  /** Folders an import may read (DRYDOCK_ADVISORY_MIRRORS); the worker checks again. */
  mirrorRoots: readonly string[];
}

/** The server's advisory database: what it holds, and imports (`drydock db update` on the server). */
export function createAdvisoriesService({ prisma, queue, mirrorRoots }: AdvisoriesServiceDeps) {
  return {
    async status(): Promise<AdvisoryStatus> {
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

    /** Queues an import from an allowed source; a refused one is logged and answered 422. */
    async queueImport(source: string, actor: { name: string; ip: string }): Promise<string> {
      try {
        await checkImportSource(source, { roots: mirrorRoots });
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
      return queue.send('advisories.import', { source });
    },
  };
}

export type AdvisoriesService = ReturnType<typeof createAdvisoriesService>;
