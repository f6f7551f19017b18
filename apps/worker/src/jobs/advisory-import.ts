import { type ImportReport, importAdvisories, type SourcePolicy } from '@drydock/advisories';
import type { AdvisoryImportJob } from '@drydock/contract';
import { addImagesToScan, PgAdvisoryStore, type PrismaClient, type Queue } from '@drydock/db';

/**
 * `drydock db update` on the server: the same import, into Postgres. When advisories changed,
 * every scanned image is re-matched from its stored analysis (one `rematch` job per image, no
 * pull), as a scan with trigger `advisories`.
 */
export function createAdvisoryImportHandler(deps: {
  prisma: PrismaClient;
  queue?: Pick<Queue, 'sendMany'>;
  fetch?: typeof fetch;
  /** Checked again here (the API checks first): a job planted in the queue gets no further. */
  policy: SourcePolicy;
}) {
  return async (job: AdvisoryImportJob): Promise<ImportReport & { rematchScanId?: string }> => {
    const store = new PgAdvisoryStore(deps.prisma);
    const report = await importAdvisories(store, job.source, {
      policy: deps.policy,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(job.ecosystems ? { ecosystems: job.ecosystems } : {}),
    });
    // The job output keeps the counts; warnings are capped so one bad feed cannot bloat it.
    const out = { ...report, warnings: report.warnings.slice(0, 100) };
    const changed = Object.values(report.ecosystems).some((c) => c.added + c.updated > 0);
    if (!changed || !deps.queue) return out;
    const images = await deps.prisma.image.findMany({
      where: { analysisKey: { not: null }, goneAt: null, repositoryId: { not: null } },
      select: { id: true },
    });
    if (images.length === 0) return out;
    const scan = await deps.prisma.scan.create({
      data: { scope: { kind: 'all' }, trigger: 'advisories' },
      select: { id: true },
    });
    await addImagesToScan(
      deps.prisma,
      deps.queue,
      scan.id,
      images.map((i) => i.id),
      'rematch',
    );
    return { ...out, rematchScanId: scan.id };
  };
}
