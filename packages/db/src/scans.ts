import type { ScanScope } from '@drydock/contract';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { Queue } from './queue.ts';

export class UnknownImagesError extends Error {
  constructor(public readonly ids: string[]) {
    super(`no image with id ${ids.join(', ')}`);
    this.name = 'UnknownImagesError';
  }
}

/** Limits what a scoped account reaches: images of these instances or namespaces. */
export type ImageVisibility = { instanceIds: string[]; namespaceIds: string[] } | null;

const visibleWhere = (visible: ImageVisibility | undefined) =>
  visible
    ? {
        repository: {
          namespace: {
            OR: [{ instanceId: { in: visible.instanceIds } }, { id: { in: visible.namespaceIds } }],
          },
        },
      }
    : {};

/** Registry images (not gone from their registry) that a scope covers (and the account sees). */
export async function imagesInScope(
  prisma: PrismaClient,
  scope: ScanScope,
  visible: ImageVisibility = null,
): Promise<string[]> {
  const live = { goneAt: null, repositoryId: { not: null }, ...visibleWhere(visible) };
  switch (scope.kind) {
    case 'all':
      return ids(await prisma.image.findMany({ where: live, select: { id: true } }));
    case 'instance':
      return ids(
        await prisma.image.findMany({
          where: {
            AND: [live, { repository: { namespace: { instanceId: scope.instanceId } } }],
          },
          select: { id: true },
        }),
      );
    case 'repository':
      return ids(
        await prisma.image.findMany({
          where: { ...live, repositoryId: scope.repositoryId },
          select: { id: true },
        }),
      );
    case 'images': {
      const found = ids(
        await prisma.image.findMany({
          where: {
            id: { in: scope.imageIds },
            repositoryId: { not: null },
            ...visibleWhere(visible),
          },
          select: { id: true },
        }),
      );
      const missing = scope.imageIds.filter((id) => !found.includes(id));
      if (missing.length) throw new UnknownImagesError(missing);
      return found;
    }
  }
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

/**
 * Queues one `image.scan` job per image and links them to the scan. An image that already has a
 * queued or running job (from another request) is joined, not queued twice: a partial unique
 * index allows one active job per image, and the insert skips the ones that exist.
 */
export async function addImagesToScan(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  scanId: string,
  imageIds: string[],
  kind: 'registry' | 'rematch' = 'registry',
): Promise<{ queued: number; joined: number }> {
  let queued = 0;
  let joined = 0;
  for (let i = 0; i < imageIds.length; i += 500) {
    const chunk = imageIds.slice(i, i + 500);
    const created = await prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO scan_job (id, image_id, kind, target, status, updated_at)
      SELECT gen_random_uuid(), img.id, ${kind},
             CASE WHEN img.name <> '' THEN img.name ELSE img.digest END, 'queued', now()
      FROM image img WHERE img.id = ANY(${chunk}::uuid[])
      ON CONFLICT (image_id) WHERE status IN ('queued', 'running') AND image_id IS NOT NULL DO NOTHING
      RETURNING id`;
    const linked = await prisma.$executeRaw`
      INSERT INTO scan_item (scan_id, scan_job_id)
      SELECT ${scanId}::uuid, j.id FROM scan_job j
      WHERE j.image_id = ANY(${chunk}::uuid[]) AND j.status IN ('queued', 'running')
      ON CONFLICT DO NOTHING`;
    queued += created.length;
    joined += linked - created.length;
    await sendJobs(
      prisma,
      queue,
      created.map((c) => c.id),
    );
  }
  return { queued, joined };
}

/** Sends the pg-boss jobs of ScanJob rows; if the queue refuses, the rows fail with the reason. */
export async function sendJobs(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  scanJobIds: string[],
): Promise<void> {
  if (scanJobIds.length === 0) return;
  try {
    const queueIds = await queue.sendMany(
      'image.scan',
      scanJobIds.map((scanJobId) => ({ scanJobId })),
    );
    await prisma.$executeRaw`
      UPDATE scan_job j SET queue_job_id = q.queue_id, updated_at = now()
      FROM unnest(${scanJobIds}::uuid[], ${queueIds}::text[]) AS q(id, queue_id) WHERE j.id = q.id`;
  } catch (error) {
    await prisma.scanJob.updateMany({
      where: { id: { in: scanJobIds } },
      data: {
        status: 'failed',
        reason: `could not queue the scan: ${(error as Error).message}`,
        finishedAt: new Date(),
      },
    });
    throw error;
  }
}

export interface StartScanInput {
  scope: ScanScope;
  trigger: 'manual' | 'schedule' | 'advisories' | 'push';
  requestedBy?: string | null;
  kind?: 'registry' | 'rematch';
  visible?: ImageVisibility;
}

/** Creates a scan over a scope and queues its images. */
export async function startScan(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  input: StartScanInput,
): Promise<{ id: string; images: number; joined: number }> {
  const imageIds = await imagesInScope(prisma, input.scope, input.visible ?? null);
  const scan = await prisma.scan.create({
    data: { scope: input.scope, trigger: input.trigger, requestedBy: input.requestedBy ?? null },
    select: { id: true },
  });
  const { joined } = await addImagesToScan(prisma, queue, scan.id, imageIds, input.kind);
  return { id: scan.id, images: imageIds.length, joined };
}

/**
 * Queues the failed images of a scan again. An image that meanwhile got an active job from
 * another request joins that one.
 */
export async function retryFailed(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  scanId: string,
): Promise<{ retried: number; joined: number }> {
  const failed = await prisma.scanJob.findMany({
    where: { status: 'failed', items: { some: { scanId } } },
    select: { id: true, imageId: true, kind: true },
  });
  const requeue: string[] = [];
  let joined = 0;
  for (const job of failed) {
    try {
      await prisma.scanJob.update({
        where: { id: job.id },
        data: { status: 'queued', reason: null, progress: { phase: 'queued' }, finishedAt: null },
      });
      requeue.push(job.id);
    } catch {
      // Another request scans this image right now: follow that job instead.
      const active = await prisma.scanJob.findFirst({
        where: { imageId: job.imageId, status: { in: ['queued', 'running'] } },
        select: { id: true },
      });
      if (active) {
        await prisma.scanItem.deleteMany({ where: { scanId, scanJobId: job.id } });
        await prisma.scanItem.createMany({
          data: [{ scanId, scanJobId: active.id }],
          skipDuplicates: true,
        });
        joined++;
      }
    }
  }
  await sendJobs(prisma, queue, requeue);
  return { retried: requeue.length, joined };
}
