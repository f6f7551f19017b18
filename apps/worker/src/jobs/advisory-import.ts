import {
  type ImportProgress,
  type ImportReport,
  importAdvisories,
  type SourcePolicy,
} from '@drydock/advisories';
import type { AdvisoryImportJob } from '@drydock/contract';
import {
  addImagesToScan,
  emitWebhookEvent,
  PgAdvisoryStore,
  type Prisma,
  type PrismaClient,
  type Queue,
} from '@drydock/db';

/**
 * `drydock db update` on the server: the same import, into Postgres. When advisories changed,
 * every scanned image is re-matched from its stored analysis (one `rematch` job per image, no
 * pull), as a scan with trigger `advisories`. The job's `advisory_import` row follows it:
 * running with per-ecosystem counts (written at most once a second), then succeeded with the
 * report or failed with the reason — a failed import is recorded, not retried behind the
 * analyst's back (the next scheduled refresh or a new import tries again).
 */
export function createAdvisoryImportHandler(deps: {
  prisma: PrismaClient;
  queue?: Pick<Queue, 'sendMany'>;
  fetch?: typeof fetch;
  /** Checked again here (the API checks first): a job planted in the queue gets no further. */
  policy: SourcePolicy;
}) {
  return async (
    job: AdvisoryImportJob,
  ): Promise<(ImportReport & { rematchScanId?: string }) | { failed: string }> => {
    const row = job.importId ? { id: job.importId } : undefined;
    const update = (data: Prisma.AdvisoryImportUpdateInput) =>
      row ? deps.prisma.advisoryImport.update({ where: { id: row.id }, data }) : Promise.resolve();
    await update({ status: 'running', startedAt: new Date(), error: null });
    let written = 0;
    let latest: ImportProgress | undefined;
    const onProgress = (progress: ImportProgress) => {
      latest = progress;
      if (Date.now() - written < 1000) return;
      written = Date.now();
      void update({ progress: progressJson(progress) }).catch(() => {});
    };
    // The KEV catalog before, to tell the receivers of kev.added which CVEs joined it.
    const kevBefore = new Set(
      (await deps.prisma.knownExploited.findMany({ select: { cveId: true } })).map((k) => k.cveId),
    );
    let report: ImportReport;
    try {
      const store = new PgAdvisoryStore(deps.prisma);
      report = await importAdvisories(store, job.source, {
        policy: deps.policy,
        onProgress,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(job.ecosystems ? { ecosystems: job.ecosystems } : {}),
        ...(job.kev ? { kev: job.kev } : {}),
        ...(job.cve ? { cve: job.cve } : {}),
      });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      if (!row) throw error;
      await update({
        status: 'failed',
        error: reason,
        finishedAt: new Date(),
        ...(latest ? { progress: progressJson(latest) } : {}),
      });
      return { failed: reason };
    }
    const totals = await new PgAdvisoryStore(deps.prisma).totals();
    const notify = async (rematchScanId?: string) => {
      if (!deps.queue) return;
      try {
        const counts = Object.values(report.ecosystems);
        await emitWebhookEvent(deps.prisma, deps.queue, 'advisories.imported', {
          importId: row?.id ?? null,
          source: job.source,
          added: counts.reduce((n, c) => n + c.added, 0),
          updated: counts.reduce((n, c) => n + c.updated, 0),
          rematchScanId: rematchScanId ?? null,
        });
        if (report.knownExploited === undefined) return;
        const added = (await deps.prisma.knownExploited.findMany({ select: { cveId: true } }))
          .map((k) => k.cveId)
          .filter((id) => !kevBefore.has(id))
          .sort();
        // The first catalog ever imported is not news: every entry would be "added".
        if (added.length && kevBefore.size) {
          await emitWebhookEvent(deps.prisma, deps.queue, 'kev.added', {
            total: added.length,
            cves: added.slice(0, 500),
          });
        }
      } catch {
        // best effort: the import itself succeeded
      }
    };
    const finish = (rematchScanId?: string) =>
      update({
        status: 'succeeded',
        finishedAt: new Date(),
        progress: progressJson({ ecosystems: report.ecosystems }, report),
        warnings: report.warnings.slice(0, 100),
        totals,
        ...(rematchScanId ? { rematchScanId } : {}),
      });
    // The job output keeps the counts; warnings are capped so one bad feed cannot bloat it.
    const out = { ...report, warnings: report.warnings.slice(0, 100) };
    // New OSV records, a new KEV catalog or new CVE records can all change findings.
    const changed =
      Object.values(report.ecosystems).some((c) => c.added + c.updated > 0) ||
      report.knownExploited !== undefined ||
      (report.cveRecords ?? 0) > 0;
    if (!changed || !deps.queue) {
      await finish();
      await notify();
      return out;
    }
    const images = await deps.prisma.image.findMany({
      where: { analysisKey: { not: null }, goneAt: null, repositoryId: { not: null } },
      select: { id: true },
    });
    if (images.length === 0) {
      await finish();
      await notify();
      return out;
    }
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
    await finish(scan.id);
    await notify(scan.id);
    return { ...out, rematchScanId: scan.id };
  };
}

const progressJson = (
  p: ImportProgress,
  report?: Pick<ImportReport, 'knownExploited' | 'cveRecords'>,
): Prisma.InputJsonValue =>
  JSON.parse(
    JSON.stringify({
      ecosystems: p.ecosystems,
      ...(p.current ? { current: p.current } : {}),
      ...(report?.knownExploited !== undefined ? { knownExploited: report.knownExploited } : {}),
      ...(report?.cveRecords !== undefined ? { cveRecords: report.cveRecords } : {}),
    }),
  );
