import { type AdvisoryImport, AdvisoryImportStatusSchema } from '@drydock/contract';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';
import type { Queue } from './queue.ts';

type Row = Prisma.AdvisoryImportGetPayload<object>;

/** An import row as the contract has it. */
export function advisoryImportView(row: Row): AdvisoryImport {
  const progress = (row.progress ?? {}) as {
    ecosystems?: AdvisoryImport['ecosystems'];
    current?: string;
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
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** Records an import and queues its job; the worker moves the row along. */
export async function queueAdvisoryImport(
  prisma: PrismaClient,
  queue: Pick<Queue, 'send'>,
  input: { source: string; trigger: 'manual' | 'schedule'; requestedBy?: string },
): Promise<{ jobId: string; importId: string }> {
  const row = await prisma.advisoryImport.create({
    data: {
      source: input.source,
      trigger: input.trigger,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    },
    select: { id: true },
  });
  const jobId = await queue.send('advisories.import', { source: input.source, importId: row.id });
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
  refresh: { source: string; everyHours: number },
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
    trigger: 'schedule',
  });
  return importId;
}
