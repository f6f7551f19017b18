import { randomUUID } from 'node:crypto';
import { matchInventory } from '@drydock/advisories';
import type { ReportPushed, ScanReport } from '@drydock/contract';
import {
  emitScanFinished,
  PgAdvisoryStore,
  type PrismaClient,
  persistScan,
  type Queue,
} from '@drydock/db';
import type { Principal } from '../../auth/permissions.ts';
import { ForbiddenError } from '../../lib/errors.ts';
import { reportInventoryKey } from '../sbom/sbom-service.ts';

/**
 * A pipeline's scan result (`drydock scan … --server URL --token T`): the inventory and malware
 * found by the CLI are stored like an uploaded image's; vulnerabilities are matched again with the
 * server's advisory database so every finding in the console comes from one source.
 */
export function createReportsService(prisma: PrismaClient, queue?: Pick<Queue, 'sendMany'>) {
  return {
    /**
     * Stores an inventory as a scan: a CLI report (`cli`) or an SBOM read by the server (`sbom`).
     */
    async push(
      report: ScanReport,
      givenName: string | undefined,
      principal: Principal,
      trigger: 'cli' | 'sbom' = 'cli',
    ): Promise<ReportPushed> {
      if (principal.visible) {
        throw new ForbiddenError(
          'pushed images and SBOMs belong to no registry scope: a scoped token cannot push them',
        );
      }
      const name = givenName ?? report.target.repoTags[0] ?? report.target.input;
      const vulnerabilities = await matchInventory(report, new PgAdvisoryStore(prisma));
      const at = new Date();
      // The inventory is kept like a scanned image's (SBOM downloads, re-matching).
      const analysisKey = reportInventoryKey(report);
      const { vulnerabilities: _v, maliciousSamples: _m, ...inventory } = report;
      await prisma.analysisCache.upsert({
        where: { key: analysisKey },
        create: { key: analysisKey, analyzerVersion: 'report', inventory },
        update: { inventory, lastUsedAt: at },
      });
      // The job's id first: what changed at this scan links to it (webhooks read it).
      const scanJobId = randomUUID();
      const stored = await persistScan(prisma, { name }, { ...report, vulnerabilities }, at, {
        analysisKey,
        scanJobId,
      });
      const scan = await prisma.scan.create({
        data: {
          scope: { kind: 'upload', name },
          trigger,
          requestedBy: principal.name,
          items: {
            create: {
              scanJob: {
                create: {
                  id: scanJobId,
                  kind: trigger === 'sbom' ? 'sbom' : 'upload',
                  target: name,
                  imageId: stored.imageId,
                  status: 'succeeded',
                  attempts: 1,
                  startedAt: at,
                  finishedAt: at,
                  progress: { phase: 'done' },
                  result: { findings: stored.findings, samples: stored.samples },
                  worker: trigger,
                },
              },
            },
          },
        },
      });
      if (queue) {
        // Best effort, as for the workers' scans: the stored result stands either way.
        await emitScanFinished(prisma, queue, scanJobId, stored.imageId, {
          findings: stored.findings,
          samples: stored.samples,
        }).catch(() => undefined);
      }
      const digest = report.target.manifestDigest ?? report.target.configDigest;
      return {
        scanId: scan.id,
        imageId: stored.imageId,
        url: `/images/${digest}`,
        findings: stored.findings,
        samples: stored.samples,
      };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
