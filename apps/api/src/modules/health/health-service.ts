import type { Health } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';

export interface HealthDeps {
  prisma: Pick<PrismaClient, '$queryRaw'>;
  version: string;
  startedAt: number;
  now?: () => number;
}

const DB_TIMEOUT_MS = 3000;

export function createHealthService({ prisma, version, startedAt, now = Date.now }: HealthDeps) {
  return {
    async check(): Promise<Health> {
      const started = now();
      let database: Health['database'];
      try {
        await Promise.race([
          prisma.$queryRaw`SELECT 1`,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), DB_TIMEOUT_MS).unref(),
          ),
        ]);
        database = { status: 'up', latencyMs: now() - started };
      } catch (error) {
        database = {
          status: 'down',
          error: error instanceof Error ? error.message.split('\n')[0] : 'unreachable',
        };
      }
      return {
        status: database.status === 'up' ? 'ok' : 'degraded',
        version,
        uptimeSeconds: Math.round((now() - startedAt) / 1000),
        database,
      };
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
