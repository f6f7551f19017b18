import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImageScanJob, ScanJobProgress, ScanReport } from '@drydock/contract';
import {
  advisoryDbState,
  emitScanFinished,
  emitWebhookEvent,
  type ImageLocation,
  imageForWebhook,
  openRegistrySecret,
  PgAdvisoryStore,
  type PrismaClient,
  persistScan,
  type Queue,
  refreshFixActions,
  SecretError,
  UploadError,
  writeUploadToFile,
} from '@drydock/db';
import { matchReport } from '@drydock/pipeline';
import { clientForInstance, RegistryError, RegistryImageSource } from '@drydock/registry';
import {
  type ImageHandle,
  openImage,
  openImageFromSource,
  ScanError,
  type ScanProgress,
} from '@drydock/scanner';
import type { Logger } from 'pino';
import { WORKER_ID } from '../presence.ts';
import { type Analysis, type Analyzer, analyzeImage, checkLimits } from '../scan/analyze.ts';
import type { MemoryGuard } from '../scan/memory-guard.ts';

export interface ImageScanDeps {
  prisma: PrismaClient;
  analyzer: Analyzer;
  secretKey: string;
  logger: Logger;
  registryTimeoutMs?: number;
  /** Attempts after which an unexpected error fails the image instead of retrying. */
  maxAttempts?: number;
  /** Stops the scan that would exhaust the worker's memory (that image fails with the reason). */
  memoryGuard?: MemoryGuard;
  /** Scans running in this process (the worker's heartbeat reports them). */
  running?: Set<string>;
  /** Where webhook deliveries are queued (scan.finished, scan.failed, new highs, urgent samples). */
  queue?: Pick<Queue, 'sendMany'>;
}

/** Failures that concern the image, not the worker: reported as the image's reason, not retried. */
const isImageFault = (e: unknown) =>
  e instanceof RegistryError ||
  e instanceof ScanError ||
  e instanceof SecretError ||
  e instanceof UploadError;

type JobRow = NonNullable<Awaited<ReturnType<typeof loadJob>>>;

function loadJob(prisma: PrismaClient, id: string) {
  return prisma.scanJob.findUnique({
    where: { id },
    include: {
      image: {
        include: { repository: { include: { namespace: { include: { instance: true } } } } },
      },
    },
  });
}

/**
 * Runs one ScanJob: opens the image (registry pull by digest, or an uploaded tarball), analyzes
 * it (or reuses the cached analysis of the same layers), matches advisories from Postgres, and
 * stores the result in one transaction. The job row tracks state and progress; a failure that
 * belongs to the image (registry down, 401/404, corrupt layer, limits) fails only that image.
 */
export function createImageScanHandler(deps: ImageScanDeps) {
  const { prisma } = deps;
  const maxAttempts = deps.maxAttempts ?? 3;
  return async (payload: ImageScanJob) => {
    const job = await loadJob(prisma, payload.scanJobId);
    if (!job) return { skipped: 'scan job no longer exists' };
    // A job delivered again after it finished (e.g. a retry racing a slow success): nothing to do.
    if (job.status === 'succeeded' || job.status === 'failed') return { skipped: job.status };
    const attempts = job.attempts + 1;
    await prisma.scanJob.update({
      where: { id: job.id },
      data: {
        status: 'running',
        attempts,
        worker: WORKER_ID,
        startedAt: new Date(),
        reason: null,
        progress: { phase: job.kind === 'rematch' ? 'match' : 'pull' },
      },
    });
    const progress = throttledProgress(prisma, job.id);
    let bytesRead = 0;
    const watch = deps.memoryGuard?.watch(job.id, job.target, () => bytesRead);
    deps.running?.add(job.id);
    try {
      const outcome = await run(deps, job, progress, watch?.signal, (n) => {
        bytesRead += n;
      });
      await progress.flush();
      // Succeeded, and the stored tarball of an upload gone, in one step: whoever sees the job
      // done no longer finds the upload (failed ones keep it for a retry until pruned).
      await prisma.$transaction([
        prisma.scanJob.update({
          where: { id: job.id },
          data: {
            status: 'succeeded',
            finishedAt: new Date(),
            progress: { phase: 'done' },
            cacheHit: outcome.cacheHit,
            bytesPulled: BigInt(outcome.bytesPulled),
            result: outcome.result,
            imageId: outcome.imageId,
            ...(outcome.advisoryDb
              ? { advisoryDb: JSON.parse(JSON.stringify(outcome.advisoryDb)) }
              : {}),
          },
        }),
        ...(job.uploadId ? [prisma.upload.deleteMany({ where: { id: job.uploadId } })] : []),
      ]);
      await notify(deps, () =>
        emitScanFinished(prisma, deps.queue as Queue, job.id, outcome.imageId, outcome.result),
      );
      return { imageId: outcome.imageId, cacheHit: outcome.cacheHit, ...outcome.result };
    } catch (error) {
      await progress.flush();
      const message = error instanceof Error ? error.message : String(error);
      if (isImageFault(error) || attempts >= maxAttempts) {
        await prisma.scanJob.update({
          where: { id: job.id },
          data: {
            status: 'failed',
            reason: isImageFault(error)
              ? message
              : `internal error after ${attempts} attempts: ${message}`,
            finishedAt: new Date(),
          },
        });
        deps.logger.warn(
          { scanJob: job.id, target: job.target, reason: message },
          'image scan failed',
        );
        await notify(deps, async () => {
          const image = job.imageId ? await imageForWebhook(prisma, job.imageId) : undefined;
          await emitWebhookEvent(
            prisma,
            deps.queue as Queue,
            'scan.failed',
            { scanJobId: job.id, target: job.target, image: image?.ref ?? null, reason: message },
            image?.scope ?? { instanceId: null, namespaceId: null },
          );
        });
        return { failed: message };
      }
      // Unexpected (database hiccup, bug): back to queued, and pg-boss retries the job.
      await prisma.scanJob
        .update({
          where: { id: job.id },
          data: { status: 'queued', reason: `retrying: ${message}` },
        })
        .catch(() => undefined);
      throw error;
    } finally {
      watch?.done();
      deps.running?.delete(job.id);
    }
  };
}

/** Webhook events are best effort: a failure to queue them never changes the scan's outcome. */
async function notify(deps: ImageScanDeps, emit: () => Promise<unknown>) {
  if (!deps.queue) return;
  try {
    await emit();
  } catch (error) {
    deps.logger.warn({ error: (error as Error).message }, 'could not queue webhook deliveries');
  }
}

interface Outcome {
  imageId: string;
  cacheHit: boolean;
  bytesPulled: number;
  result: { findings: Counts; samples: Counts };
  /** The advisory database the image was matched against. */
  advisoryDb?: ScanReport['advisoryDb'];
}
type Counts = { opened: number; stillOpen: number; resolved: number };

async function run(
  deps: ImageScanDeps,
  job: JobRow,
  progress: ReturnType<typeof throttledProgress>,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<Outcome> {
  const onLayer = (e: ScanProgress) => {
    if (e.phase === 'layer') onBytes(e.bytes);
    progress.layer(e);
  };
  const { prisma, analyzer } = deps;
  let analysis: Analysis;
  let location: ImageLocation;
  let bytesPulled = 0;
  if (job.kind === 'upload') {
    if (!job.uploadId) throw new ScanError('input_not_found', 'the uploaded tarball is gone');
    // Uploads are stored in Postgres; the scanner reads a file, so the worker copies it to its
    // temporary folder (TMPDIR) for the scan's duration.
    const dir = await mkdtemp(path.join(tmpdir(), 'drydock-upload-'));
    const file = path.join(dir, 'image.tar');
    const image = await writeUploadToFile(prisma, job.uploadId, file)
      .then(() => openImage(file))
      .catch(async (error) => {
        await rm(dir, { recursive: true, force: true });
        throw error;
      });
    try {
      checkLimits(image, analyzer.limits);
      analysis = await analyzeImage(
        prisma,
        analyzer,
        { ...image, input: job.target },
        onLayer,
        signal,
      );
    } finally {
      await image.close();
      await rm(dir, { recursive: true, force: true });
    }
    location = { name: job.target };
  } else {
    const img = job.image;
    const repo = img?.repository;
    if (!img || !repo) throw new ScanError('input_not_found', 'the image is no longer known');
    const instance = repo.namespace.instance;
    const path = repo.namespace.name ? `${repo.namespace.name}/${repo.name}` : repo.name;
    const client = clientForInstance(
      instance,
      (s) => openRegistrySecret(deps.secretKey, instance.id, s),
      {
        ...(deps.registryTimeoutMs ? { timeoutMs: deps.registryTimeoutMs } : {}),
      },
    );
    if (job.kind === 'rematch' && img.analysisKey) {
      analysis = await cachedAnalysis(prisma, img.analysisKey, img.digest);
      analysis.report.target.repoTags = img.tags;
    } else {
      const manifest = await client.manifest(path, img.digest);
      const source = new RegistryImageSource(client, path, manifest);
      const host = new URL(instance.url).host;
      const image: ImageHandle = await openImageFromSource(
        source,
        `${host}/${path}@${img.digest}`,
        {
          format: 'registry',
          ...(img.platform ? { platform: img.platform } : {}),
        },
      );
      image.repoTags = img.tags.map((t) => `${host}/${path}:${t}`);
      checkLimits(
        image,
        analyzer.limits,
        (manifest.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0),
      );
      analysis = await analyzeImage(prisma, analyzer, image, onLayer, signal);
      bytesPulled = source.bytesPulled;
    }
    location = {
      instance: { name: instance.name, url: instance.url },
      namespace: repo.namespace.name,
      repository: repo.name,
      name: img.name || `${path}${img.tags[0] ? `:${img.tags[0]}` : `@${img.digest}`}`,
    };
  }
  deps.logger.debug(
    {
      scanJob: job.id,
      cacheHit: analysis.cacheHit,
      malwareLayersCached: analysis.malwareLayersCached ?? null,
    },
    'image analyzed',
  );
  progress.set({ phase: 'match' });
  // What could not be checked (no advisories for the OS or an ecosystem) joins the warnings.
  // The report records the database it was matched against (import, counts, ecosystems).
  const report: ScanReport = await matchReport(analysis.report, ...(await matchingStore(prisma)));
  progress.set({ phase: 'store' });
  await progress.flush();
  const stored = await persistScan(prisma, location, report, new Date(), {
    analysisKey: analysis.key,
    scanJobId: job.id,
    ...(job.kind === 'rematch' ? { cause: 'advisories' as const } : {}),
  });
  // The fix plan's rows of what the scan changed (and of a few other noted images).
  await refreshFixActions(prisma, { batch: 20, batches: 1 });
  return {
    imageId: stored.imageId,
    cacheHit: analysis.cacheHit,
    bytesPulled,
    result: { findings: stored.findings, samples: stored.samples },
    ...(report.advisoryDb ? { advisoryDb: report.advisoryDb } : {}),
  };
}

/** Lookups one worker keeps for a state of the advisory database before starting afresh. */
const MAX_CACHED_LOOKUPS = 50_000;
let sharedStore: { key: string; prisma: PrismaClient; store: PgAdvisoryStore } | undefined;

/**
 * The advisory store images are matched with, and the database state it reads: one store per
 * state (an import changes the state), so the advisories it has read serve every later image of
 * that state — a re-match of the fleet after an import reads each package's records once per
 * worker instead of once per image.
 */
async function matchingStore(
  prisma: PrismaClient,
): Promise<[PgAdvisoryStore, Awaited<ReturnType<typeof advisoryDbState>>]> {
  const state = await advisoryDbState(prisma);
  const key = state ? `${state.importId ?? ''}|${state.updatedAt}|${state.records ?? ''}` : 'none';
  if (
    !sharedStore ||
    sharedStore.key !== key ||
    sharedStore.prisma !== prisma ||
    sharedStore.store.cachedLookups > MAX_CACHED_LOOKUPS
  ) {
    sharedStore = { key, prisma, store: new PgAdvisoryStore(prisma) };
  }
  return [sharedStore.store, state];
}

async function cachedAnalysis(
  prisma: PrismaClient,
  key: string,
  digest: string,
): Promise<Analysis> {
  const cached = await prisma.analysisCache.findUnique({ where: { key } });
  if (!cached) {
    throw new ScanError(
      'input_not_found',
      `the stored analysis of ${digest} is gone; scan the image again`,
    );
  }
  const report = cached.inventory as unknown as ScanReport;
  // The same layers may have been analyzed under another digest: this image keeps its own.
  return {
    report: { ...report, target: { ...report.target, manifestDigest: digest } },
    key,
    cacheHit: true,
  };
}

/** Writes progress to the job row at most every 500 ms (and always the last state on flush). */
function throttledProgress(prisma: PrismaClient, id: string) {
  let latest: ScanJobProgress | undefined;
  let written = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const write = () => {
    if (!latest) return;
    const data = latest;
    latest = undefined;
    written = Date.now();
    pending = pending.then(() =>
      prisma.scanJob.update({ where: { id }, data: { progress: data } }).catch(() => undefined),
    );
  };
  return {
    set(p: ScanJobProgress) {
      latest = p;
      if (Date.now() - written > 500) write();
    },
    layer(e: { phase: string; index?: number; total?: number; bytes?: number }) {
      if (e.phase === 'layer') {
        this.set({
          phase: 'pull',
          layer: (e.index ?? 0) + 1,
          layers: e.total ?? 0,
          bytes: e.bytes ?? 0,
        });
      } else if (e.phase === 'analyze') this.set({ phase: 'analyze' });
    },
    async flush() {
      write();
      await pending;
    },
  };
}
