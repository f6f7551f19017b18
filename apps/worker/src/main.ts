import { createPrismaClient, startQueue } from '@drydock/db';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loadWorkerConfig } from './config.ts';
import { queueErrorLogger } from './error-log.ts';
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
const queueErrors = queueErrorLogger(logger);
const queue = await startQueue(config.databaseUrl, {
  onError: (err) => queueErrors.error(err),
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
  advisoryRefresh: config.advisoryRefresh,
});

// Tells the log when the database is back after an outage (pg-boss reconnects by itself).
setInterval(() => {
  prisma.$queryRaw`SELECT 1`.then(() => queueErrors.recovered()).catch(() => undefined);
}, 5000).unref();

closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'shutting down after an error');
  else logger.info({ signal }, 'shutting down: finishing running jobs');
  await worker.stop();
  await queue.stop();
  await prisma.$disconnect();
});
