import { type ImportReport, importAdvisories } from '@drydock/advisories';
import type { AdvisoryImportJob } from '@drydock/contract';
import { PgAdvisoryStore, type PrismaClient } from '@drydock/db';

/** `drydock db update` on the server: the same import, into Postgres. */
export function createAdvisoryImportHandler(deps: { prisma: PrismaClient; fetch?: typeof fetch }) {
  return async (job: AdvisoryImportJob): Promise<ImportReport> => {
    const store = new PgAdvisoryStore(deps.prisma);
    const report = await importAdvisories(store, job.source, {
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(job.ecosystems ? { ecosystems: job.ecosystems } : {}),
    });
    // The job output keeps the counts; warnings are capped so one bad feed cannot bloat it.
    return { ...report, warnings: report.warnings.slice(0, 100) };
  };
}
