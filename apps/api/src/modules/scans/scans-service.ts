import type { Readable } from 'node:stream';
import {
  AdvisoryDbUsedSchema,
  type CreateScan,
  type Scan,
  type ScanCreated,
  type ScanJobView,
  type ScanSummary,
} from '@drydock/contract';
import {
  type PrismaClient,
  type Queue,
  retryFailed,
  type StoredUpload,
  sendJobs,
  startScan,
  storeUpload,
  UnknownImagesError,
  UploadError,
} from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleInstanceWhere } from '../../auth/visibility.ts';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
} from '../../lib/errors.ts';
import { pageWindow, toPage } from '../../lib/paging.ts';

export interface ScansServiceDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'sendMany'>;
  maxUploadBytes: number;
}

type JobRow = Awaited<ReturnType<PrismaClient['scanJob']['findMany']>>[number];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function jobView(j: JobRow): ScanJobView {
  return {
    id: j.id,
    imageId: j.imageId,
    kind: j.kind as ScanJobView['kind'],
    target: j.target,
    status: j.status,
    reason: j.reason,
    attempts: j.attempts,
    worker: j.worker,
    progress: (j.progress as ScanJobView['progress']) ?? null,
    cacheHit: j.cacheHit,
    bytesPulled: j.bytesPulled === null ? null : Number(j.bytesPulled),
    result: (j.result as ScanJobView['result']) ?? null,
    advisoryDb: AdvisoryDbUsedSchema.nullable()
      .catch(null)
      .parse(j.advisoryDb ?? null),
    createdAt: j.createdAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
  };
}

type Counts = ScanSummary['counts'];

function rollUp(counts: Counts, runningFraction = 0): Pick<ScanSummary, 'status' | 'progress'> {
  const done = counts.succeeded + counts.failed;
  const status =
    counts.total === 0
      ? 'succeeded'
      : done === counts.total
        ? counts.failed > 0
          ? 'failed'
          : 'succeeded'
        : counts.running > 0 || done > 0
          ? 'running'
          : 'queued';
  const progress =
    counts.total === 0 ? 100 : Math.min(100, ((done + runningFraction) / counts.total) * 100);
  return { status, progress: Math.round(progress * 10) / 10 };
}

/** Part of a running image that is done, from its layer progress. */
function fraction(j: JobRow): number {
  const p = j.progress as { phase?: string; layer?: number; layers?: number } | null;
  if (j.status !== 'running' || !p) return 0;
  if (p.phase === 'match' || p.phase === 'store') return 0.9;
  if (p.layer && p.layers) return 0.8 * (p.layer / p.layers);
  return 0.05;
}

/** Scan jobs of images the account may see. */
const jobVisible = (visible: Visibility) => (visible ? { image: visibleImageWhere(visible) } : {});

const UPLOAD_NAME = /^[\w.@:+-][\w.@:/+-]{0,199}$/;

/** Scan Now: requests over a scope, their per-image progress, retries, and uploaded tarballs. */
export function createScansService(deps: ScansServiceDeps) {
  const { prisma } = deps;

  const summary = (
    scan: {
      id: string;
      scope: unknown;
      trigger: string;
      requestedBy: string | null;
      createdAt: Date;
    },
    jobs: JobRow[],
  ): ScanSummary => {
    const counts: Counts = { total: jobs.length, queued: 0, running: 0, succeeded: 0, failed: 0 };
    for (const j of jobs) counts[j.status]++;
    return {
      id: scan.id,
      scope: scan.scope as Record<string, unknown>,
      trigger: scan.trigger as Scan['trigger'],
      requestedBy: scan.requestedBy,
      createdAt: scan.createdAt.toISOString(),
      counts,
      ...rollUp(
        counts,
        jobs.reduce((s, j) => s + fraction(j), 0),
      ),
    };
  };

  return {
    async create(
      input: CreateScan,
      actor: string,
      visible: Visibility = null,
    ): Promise<ScanCreated> {
      const { scope } = input;
      if (scope.kind === 'instance') {
        const found = await prisma.registryInstance.count({
          where: { id: scope.instanceId, ...visibleInstanceWhere(visible) },
        });
        if (!found) throw new NotFoundError(`registry ${scope.instanceId} not found`);
      } else if (scope.kind === 'repository') {
        const found = await prisma.repository.count({
          where: { id: scope.repositoryId, images: { some: visibleImageWhere(visible) } },
        });
        if (!found) throw new NotFoundError(`repository ${scope.repositoryId} not found`);
      }
      try {
        const started = await startScan(prisma, deps.queue, {
          scope,
          trigger: 'manual',
          requestedBy: actor,
          visible,
        });
        if (started.images === 0) {
          await prisma.scan.delete({ where: { id: started.id } });
          throw new UnprocessableError(
            'nothing_to_scan',
            'no registry images in this scope: add a registry and sync it first',
          );
        }
        return started;
      } catch (error) {
        if (error instanceof UnknownImagesError) throw new NotFoundError(error.message);
        throw error;
      }
    },

    async get(id: string, visible: Visibility = null): Promise<Scan> {
      const scan = await prisma.scan.findUnique({ where: { id } });
      if (!scan) throw new NotFoundError(`scan ${id} not found`);
      const jobs = await prisma.scanJob.findMany({
        where: { items: { some: { scanId: id } }, ...jobVisible(visible) },
        orderBy: [{ createdAt: 'asc' }, { target: 'asc' }],
      });
      // A scoped account sees only its images of a scan, and not scans without any.
      if (visible && jobs.length === 0) throw new NotFoundError(`scan ${id} not found`);
      return { ...summary(scan, jobs), items: jobs.map(jobView) };
    },

    async list(page: number, pageSize: number, visible: Visibility = null) {
      const seen = visible ? { items: { some: { scanJob: jobVisible(visible) } } } : {};
      const [total, scans] = await Promise.all([
        prisma.scan.count({ where: seen }),
        prisma.scan.findMany({
          where: seen,
          orderBy: { createdAt: 'desc' },
          ...pageWindow({ page, pageSize }),
        }),
      ]);
      const jobs = await prisma.scanJob.findMany({
        where: {
          items: { some: { scanId: { in: scans.map((s) => s.id) } } },
          ...jobVisible(visible),
        },
        include: { items: { select: { scanId: true } } },
      });
      const byScan = new Map<string, JobRow[]>();
      for (const j of jobs) {
        for (const item of j.items)
          byScan.set(item.scanId, [...(byScan.get(item.scanId) ?? []), j]);
      }
      return toPage(
        { page, pageSize },
        scans.map((s) => summary(s, byScan.get(s.id) ?? [])),
        total,
      );
    },

    async retry(id: string, visible: Visibility = null) {
      await this.get(id, visible);
      if (visible) {
        throw new ForbiddenError('a scoped account retries by scanning its images again');
      }
      return retryFailed(prisma, deps.queue, id);
    },

    /**
     * An image tarball uploaded as the request body: streamed into Postgres in chunks (bounded
     * by DRYDOCK_MAX_UPLOAD_BYTES), then scanned by a worker on any machine like any other image.
     */
    async upload(
      body: Readable,
      name: string,
      actor: string,
      visible: Visibility = null,
    ): Promise<ScanCreated> {
      if (visible) {
        throw new ForbiddenError(
          'uploaded images belong to no registry scope: a scoped account cannot upload',
        );
      }
      if (!UPLOAD_NAME.test(name)) {
        throw new BadRequestError('name: letters, digits and ._-:@/+ only', 'validation_failed');
      }
      const max = deps.maxUploadBytes;
      async function* bounded() {
        let bytes = 0;
        for await (const chunk of body) {
          bytes += (chunk as Buffer).length;
          if (bytes > max) {
            throw new PayloadTooLargeError(
              `the upload exceeds ${max} bytes (DRYDOCK_MAX_UPLOAD_BYTES)`,
            );
          }
          yield chunk as Buffer;
        }
      }
      let upload: StoredUpload;
      try {
        upload = await storeUpload(prisma, name, bounded());
      } catch (error) {
        if (error instanceof UploadError) throw new BadRequestError(error.message, 'empty_upload');
        throw error;
      }
      const scan = await prisma.scan.create({
        data: { scope: { kind: 'upload', name }, trigger: 'upload', requestedBy: actor },
        select: { id: true },
      });
      const job = await prisma.scanJob.create({
        data: {
          kind: 'upload',
          target: name,
          uploadId: upload.id,
          items: { create: { scanId: scan.id } },
        },
        select: { id: true },
      });
      await sendJobs(prisma, deps.queue, [job.id]);
      return { id: scan.id, images: 1, joined: 0 };
    },
  };
}

export type ScansService = ReturnType<typeof createScansService>;
