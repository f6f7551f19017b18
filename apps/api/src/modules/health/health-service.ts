import type { Health } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';

export interface HealthDeps {
  prisma: Pick<PrismaClient, '$queryRaw'>;
  version: string;
  startedAt: number;
  now?: () => number;
}

const DB_TIMEOUT_MS = 3000;
/** A worker whose heartbeat (every 5 s) is older than this is counted as gone. */
export const WORKER_WINDOW_SECONDS = 30;
/** Queued work nobody started for this long means the queue is stuck. */
export const STUCK_AFTER_SECONDS = 300;

/** Prisma's messages are multi-line and name the call site; keep the driver's own sentence. */
function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return 'unreachable';
  const quoted = /Message: `([^`]+)`/.exec(error.message);
  if (quoted?.[1]) return quoted[1];
  const lines = error.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'unreachable';
}

const withTimeout = <T>(promise: Promise<T>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), DB_TIMEOUT_MS).unref(),
    ),
  ]);

interface WorkRow {
  alive: bigint;
  scanning: bigint | null;
  queued: bigint;
  running: bigint;
  oldest: number | null;
  last_start: number | null;
}

/** What the analyst is told about the scan service, from workers and queue. */
export function scanServiceState(
  workers: NonNullable<Health['workers']>,
  queue: NonNullable<Health['queue']>,
  lastStartSeconds: number | null,
): Health['scans'] {
  if (workers.alive === 0) {
    return {
      state: 'no_workers',
      detail:
        queue.queued > 0
          ? `no worker is running: ${queue.queued} job${queue.queued === 1 ? '' : 's'} wait (start one with \`pnpm worker\` or DRYDOCK_ROLE=worker)`
          : 'no worker is running: scans will wait until one starts (`pnpm worker` or DRYDOCK_ROLE=worker)',
    };
  }
  const oldest = queue.oldestQueuedSeconds;
  if (
    oldest !== null &&
    oldest > STUCK_AFTER_SECONDS &&
    (lastStartSeconds === null || lastStartSeconds > STUCK_AFTER_SECONDS)
  ) {
    return {
      state: 'stuck',
      detail: `the queue is not moving: the oldest job has waited ${Math.round(oldest / 60)} min and no job started for ${lastStartSeconds === null ? 'a long time' : `${Math.round(lastStartSeconds / 60)} min`}`,
    };
  }
  return { state: 'ok', detail: null };
}

export function createHealthService({ prisma, version, startedAt, now = Date.now }: HealthDeps) {
  return {
    async check(): Promise<Health> {
      const started = now();
      let database: Health['database'];
      try {
        await withTimeout(prisma.$queryRaw`SELECT 1`);
        database = { status: 'up', latencyMs: now() - started };
      } catch (error) {
        database = { status: 'down', error: describeDatabaseError(error) };
      }
      let workers: Health['workers'] = null;
      let queue: Health['queue'] = null;
      let scans: Health['scans'] = {
        state: 'unknown',
        detail: 'the database is unreachable: workers and queue cannot be seen',
      };
      if (database.status === 'up') {
        try {
          // The cron that wakes schedule.tick is the queue's own business, not waiting work.
          const [row] = await withTimeout(prisma.$queryRaw<WorkRow[]>`
            SELECT
              (SELECT count(*) FROM worker_process
                WHERE last_seen_at > now() - make_interval(secs => ${WORKER_WINDOW_SECONDS})) AS alive,
              (SELECT sum(running) FROM worker_process
                WHERE last_seen_at > now() - make_interval(secs => ${WORKER_WINDOW_SECONDS})) AS scanning,
              (SELECT count(*) FROM pgboss.job WHERE state IN ('created', 'retry')
                AND start_after <= now() AND name <> 'schedule.tick') AS queued,
              (SELECT count(*) FROM pgboss.job WHERE state = 'active'
                AND name <> 'schedule.tick') AS running,
              (SELECT extract(epoch FROM now() - min(created_on))::float8 FROM pgboss.job
                WHERE state IN ('created', 'retry') AND start_after <= now()
                AND name <> 'schedule.tick') AS oldest,
              (SELECT extract(epoch FROM now() - max(started_on))::float8 FROM pgboss.job
                WHERE started_on > now() - interval '1 day' AND name <> 'schedule.tick') AS last_start`);
          if (row) {
            workers = {
              alive: Number(row.alive),
              running: Number(row.scanning ?? 0),
              windowSeconds: WORKER_WINDOW_SECONDS,
            };
            queue = {
              queued: Number(row.queued),
              running: Number(row.running),
              oldestQueuedSeconds: row.oldest === null ? null : Math.round(row.oldest),
            };
            scans = scanServiceState(workers, queue, row.last_start);
          }
        } catch (error) {
          scans = {
            state: 'unknown',
            detail: `workers and queue unknown: ${describeDatabaseError(error)}`,
          };
        }
      }
      return {
        status: database.status === 'up' ? 'ok' : 'degraded',
        version,
        uptimeSeconds: Math.round((now() - startedAt) / 1000),
        database,
        workers,
        queue,
        scans,
      };
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
