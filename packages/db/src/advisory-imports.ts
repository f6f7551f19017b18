import {
  type AdvisoryDbUsed,
  type AdvisoryFeeds,
  type AdvisoryImport,
  AdvisoryImportStatusSchema,
  AdvisoryTotalsSchema,
} from '@drydock/contract';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';
import type { Queue } from './queue.ts';

type Row = Prisma.AdvisoryImportGetPayload<object>;

/** An import row as the contract has it. */
export function advisoryImportView(row: Row): AdvisoryImport {
  const progress = (row.progress ?? {}) as {
    ecosystems?: AdvisoryImport['ecosystems'];
    current?: string;
    knownExploited?: number;
    cveRecords?: number;
  };
  return {
    id: row.id,
    source: row.source,
    trigger: row.trigger === 'schedule' ? 'schedule' : 'manual',
    // The column is free text: anything but the contract's states reads as failed.
    status: AdvisoryImportStatusSchema.catch('failed').parse(row.status),
    ecosystems: progress.ecosystems ?? {},
    current: row.status === 'running' ? (progress.current ?? null) : null,
    warnings: Array.isArray(row.warnings) ? (row.warnings as string[]) : [],
    error: row.error,
    requestedBy: row.requestedBy,
    rematchScanId: row.rematchScanId,
    knownExploited: progress.knownExploited ?? null,
    cveRecords: progress.cveRecords ?? null,
    totals: AdvisoryTotalsSchema.nullable()
      .catch(null)
      .parse(row.totals ?? null),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** Records an import and queues its job; the worker moves the row along. */
export async function queueAdvisoryImport(
  prisma: PrismaClient,
  queue: Pick<Queue, 'send'>,
  input: {
    source: string;
    /** Online refreshes: the KEV feed and the CVE record service too. */
    kev?: string | null;
    cve?: string | null;
    trigger: 'manual' | 'schedule';
    requestedBy?: string;
  },
): Promise<{ jobId: string; importId: string }> {
  const row = await prisma.advisoryImport.create({
    data: {
      source: input.source,
      trigger: input.trigger,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    },
    select: { id: true },
  });
  const jobId = await queue.send('advisories.import', {
    source: input.source,
    ...(input.kev ? { kev: input.kev } : {}),
    ...(input.cve ? { cve: input.cve } : {}),
    importId: row.id,
  });
  return { jobId, importId: row.id };
}

/**
 * Scheduled refresh: when no import is queued or running and the newest one started more than
 * `everyHours` ago (or there is none), queue one from `source`. Returns its id, if any. Run from
 * the once-a-minute schedule tick, which pg-boss runs on one worker at a time.
 */
export async function queueDueAdvisoryRefresh(
  prisma: PrismaClient,
  queue: Pick<Queue, 'send'>,
  refresh: AdvisoryFeeds & { everyHours: number },
  now: Date,
): Promise<string | undefined> {
  const busy = await prisma.advisoryImport.count({
    where: { status: { in: ['queued', 'running'] } },
  });
  if (busy > 0) return undefined;
  const latest = await prisma.advisoryImport.findFirst({
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  if (latest && now.getTime() - latest.createdAt.getTime() < refresh.everyHours * 3_600_000) {
    return undefined;
  }
  const { importId } = await queueAdvisoryImport(prisma, queue, {
    source: refresh.source,
    kev: refresh.kev,
    cve: refresh.cve,
    trigger: 'schedule',
  });
  return importId;
}

/**
 * The database's state for a scan to record: the last successful import (when, from where, what
 * the database then held). A database filled before imports were recorded: its own counts and
 * newest record. Undefined when it holds nothing.
 */
export async function advisoryDbState(
  prisma: PrismaClient,
): Promise<Omit<AdvisoryDbUsed, 'checked'> | undefined> {
  const last = await prisma.advisoryImport.findFirst({
    where: { status: 'succeeded' },
    orderBy: { finishedAt: 'desc' },
    select: { id: true, source: true, finishedAt: true, totals: true },
  });
  const totals = AdvisoryTotalsSchema.safeParse(last?.totals);
  if (last?.finishedAt && totals.success && totals.data.records > 0) {
    return {
      updatedAt: last.finishedAt.toISOString(),
      sources: [last.source],
      importId: last.id,
      ...totals.data,
    };
  }
  const meta = await prisma.advisory.aggregate({
    _count: { _all: true },
    _max: { importedAt: true },
  });
  if (meta._count._all === 0 || !meta._max.importedAt) return undefined;
  const [knownExploited, cveRecords] = await Promise.all([
    prisma.knownExploited.count(),
    prisma.cveRecord.count(),
  ]);
  return {
    updatedAt: (last?.finishedAt ?? meta._max.importedAt).toISOString(),
    sources: last ? [last.source] : [],
    ...(last ? { importId: last.id } : {}),
    records: meta._count._all,
    knownExploited,
    cveRecords,
  };
}
