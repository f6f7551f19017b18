import type { ServerConfig } from '@drydock/config';
import { JOBS, type JobName, type JobPayload } from '@drydock/contract';
import type { PrismaClient, Queue } from '@drydock/db';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import type { Logger } from 'pino';
import { createAdvisoryImportHandler } from './jobs/advisory-import.ts';
import { createImageScanHandler } from './jobs/image-scan.ts';
import { createRegistryCheckHandler } from './jobs/registry-check.ts';
import { createRegistryPushHandler } from './jobs/registry-push.ts';
import { createRegistrySyncHandler } from './jobs/registry-sync.ts';
import { createScheduleTickHandler } from './jobs/schedule-tick.ts';
import { createWebhookDeliverHandler } from './jobs/webhook-deliver.ts';
import { startPresence } from './presence.ts';
import { analyzerVersion, type ScanLimits } from './scan/analyze.ts';
import { MemoryGuard } from './scan/memory-guard.ts';

export interface WorkerDeps {
  queue: Queue;
  prisma: PrismaClient;
  logger: Logger;
  concurrency: number;
  secretKey: string;
  limits?: Partial<ScanLimits>;
  registryTimeoutMs?: number;
  /** Reuse analyses of unchanged layers (default true). */
  analysisCache?: boolean;
  /** Folders an advisory import may read (DRYDOCK_ADVISORY_MIRRORS); none given: no folder. */
  advisoryMirrors?: readonly string[];
  /** Scheduled advisory refresh (DRYDOCK_ADVISORY_SOURCE, DRYDOCK_ADVISORY_REFRESH); absent: off. */
  advisoryRefresh?: ServerConfig['advisoryRefresh'];
  /** Stops the largest running scan near the heap limit (default: a MemoryGuard at 85 %). */
  memoryGuard?: MemoryGuard;
}

export interface RunningWorker {
  /** Stops taking jobs, lets running ones finish, releases the malware engine. */
  stop(): Promise<void>;
}

type Handlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

export const DEFAULT_LIMITS: ScanLimits = {
  maxImageBytes: 16 * 1024 ** 3,
  maxLayers: 256,
  maxFiles: 2_000_000,
};

/**
 * Subscribes this process to every job queue. Payloads are validated against the shared contract:
 * a malformed job fails with the validation message (pg-boss keeps it, with the reason, for
 * inspection) instead of crashing the worker. Any number of these processes, on any machines,
 * share the work through the one Postgres.
 */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { queue, prisma, logger, concurrency } = deps;
  const rules = loadRuleSet();
  const engine = await createYaraEngine(rules.source, { threads: concurrency });
  const analyzer = {
    engine,
    rules,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    version: analyzerVersion(rules),
    cache: deps.analysisCache !== false,
  };
  const registryTimeoutMs = deps.registryTimeoutMs;
  const running = new Set<string>();
  const memoryGuard =
    deps.memoryGuard ??
    new MemoryGuard({
      onStop: (target, heap) =>
        logger.warn(
          { target, heapUsed: heap.used, heapLimit: heap.limit },
          'memory limit near: stopped the largest running scan',
        ),
    });
  const handlers: Handlers = {
    'registry.check': createRegistryCheckHandler({
      prisma,
      secretKey: deps.secretKey,
      ...(registryTimeoutMs ? { timeoutMs: registryTimeoutMs } : {}),
    }),
    'registry.sync': createRegistrySyncHandler({
      prisma,
      queue,
      secretKey: deps.secretKey,
      ...(registryTimeoutMs ? { registryTimeoutMs } : {}),
    }),
    'registry.push': createRegistryPushHandler({
      prisma,
      queue,
      secretKey: deps.secretKey,
      ...(registryTimeoutMs ? { registryTimeoutMs } : {}),
    }),
    'image.scan': createImageScanHandler({
      prisma,
      queue,
      analyzer,
      secretKey: deps.secretKey,
      logger,
      memoryGuard,
      running,
      ...(registryTimeoutMs ? { registryTimeoutMs } : {}),
    }),
    'schedule.tick': createScheduleTickHandler({
      prisma,
      queue,
      advisoryRefresh: deps.advisoryRefresh ?? null,
    }),
    'webhook.deliver': createWebhookDeliverHandler({ prisma, secretKey: deps.secretKey }),
    'advisories.import': createAdvisoryImportHandler({
      prisma,
      queue,
      policy: { roots: deps.advisoryMirrors ?? [] },
    }),
  };
  const workIds: string[] = [];
  for (const name of Object.keys(handlers) as JobName[]) {
    const schema = JOBS[name];
    const handle = handlers[name] as (payload: unknown) => Promise<unknown>;
    const id = await queue.boss.work(
      name,
      {
        // Deliveries wait on other hosts: a few at a time, so one slow receiver holds up none.
        localConcurrency: name === 'image.scan' ? concurrency : name === 'webhook.deliver' ? 4 : 1,
        batchSize: 1,
        pollingIntervalSeconds: 1,
      },
      async ([job]) => {
        if (!job) return;
        const log = logger.child({ job: job.id, queue: name });
        const payload = schema.parse(job.data);
        log.info('job started');
        const result = await handle(payload);
        log.info({ result }, 'job done');
        return result;
      },
    );
    workIds.push(id);
  }
  const presence = startPresence(prisma, { concurrency, running: () => running.size });
  // Idempotent: every worker declares the same cron; pg-boss runs each tick once.
  await queue.boss.schedule('schedule.tick', '* * * * *', {});
  logger.info(
    { queues: Object.keys(handlers), concurrency, analyzer: analyzer.version },
    'worker ready',
  );
  return {
    async stop() {
      for (const id of workIds) await queue.boss.offWork(id, { wait: true }).catch(() => undefined);
      await presence.stop();
      await engine.close();
    },
  };
}
