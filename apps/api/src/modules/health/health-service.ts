import type { Health } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';

export interface HealthDeps {
  prisma: Pick<PrismaClient, '$queryRaw'>;
  version: string;
  startedAt: number;
  now?: () => number;
}

const DB_TIMEOUT_MS = 3000;

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
        database = { status: 'down', error: describeDatabaseError(error) };
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
