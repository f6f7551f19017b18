import { createPrismaClient, startQueue } from '@drydock/db';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loadWorkerConfig } from './config.ts';
import { startWorker } from './worker.ts';

let config: ReturnType<typeof loadWorkerConfig>;
try {
  config = loadWorkerConfig();
} catch (error) {
  console.error(`drydock worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { service: 'worker', pid: process.pid } });
const prisma = createPrismaClient(config.databaseUrl);
const queue = await startQueue(config.databaseUrl, {
  onError: (err) => logger.error({ err }, 'queue error'),
  superviseIntervalSeconds: config.superviseIntervalSeconds,
});
const worker = await startWorker({
  queue,
  prisma,
  logger,
  concurrency: config.concurrency,
  secretKey: config.secretKey,
  limits: config.limits,
  registryTimeoutMs: config.registryTimeoutMs,
  analysisCache: config.analysisCache,
  advisoryMirrors: config.advisoryMirrors,
});

closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'shutting down after an error');
  else logger.info({ signal }, 'shutting down: finishing running jobs');
  await worker.stop();
  await queue.stop();
  await prisma.$disconnect();
});
