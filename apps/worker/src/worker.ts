import { JOBS, type JobName, type JobPayload } from '@drydock/contract';
import type { PrismaClient, Queue } from '@drydock/db';
import type { Logger } from 'pino';
import { createAdvisoryImportHandler } from './jobs/advisory-import.ts';
import { createRegistryCheckHandler } from './jobs/registry-check.ts';

export interface WorkerDeps {
  queue: Queue;
  prisma: PrismaClient;
  logger: Logger;
  concurrency: number;
}

type Handlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

/**
 * Subscribes this process to every job queue. Payloads are validated against the shared contract:
 * a malformed job fails with the validation message (pg-boss keeps it, with the reason, for
 * inspection) instead of crashing the worker.
 */
export async function startWorker({ queue, prisma, logger, concurrency }: WorkerDeps) {
  const handlers: Handlers = {
    'registry.check': createRegistryCheckHandler({ prisma }),
    'advisories.import': createAdvisoryImportHandler({ prisma }),
  };
  for (const name of Object.keys(handlers) as JobName[]) {
    const schema = JOBS[name];
    const handle = handlers[name] as (payload: unknown) => Promise<unknown>;
    await queue.boss.work(
      name,
      { localConcurrency: concurrency, batchSize: 1, pollingIntervalSeconds: 1 },
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
  }
  logger.info({ queues: Object.keys(handlers), concurrency }, 'worker ready');
}
