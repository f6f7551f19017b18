import { createHash } from 'node:crypto';
import type { PrismaClient } from '@drydock/db';

const PRUNE_EVERY_MS = 60_000;

export interface RateLimiter {
  /** Counts one request for `key`; undefined when the count could not be kept (database away). */
  hit(key: string): Promise<{ count: number; retryAfterSeconds: number } | undefined>;
  readonly max: number;
}

/**
 * Fixed-window request counters in PostgreSQL, so every API process counts the same requests (an
 * in-memory counter would multiply the allowance by the number of processes). One UPSERT per
 * request on an UNLOGGED table; keys are hashed because they name principals and addresses.
 * Windows older than an hour are removed at most once a minute per process.
 */
export function createRateLimiter(
  prisma: PrismaClient,
  { max, windowMs }: { max: number; windowMs: number },
): RateLimiter {
  let lastPrune = 0;
  const seconds = windowMs / 1000;
  return {
    max,
    async hit(key) {
      const id = createHash('sha256').update(key).digest('base64url');
      const t = Date.now();
      if (t - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = t;
        prisma.$executeRaw`DELETE FROM rate_limit WHERE window_start < now() - interval '1 hour'`.catch(
          () => undefined,
        );
      }
      try {
        const [row] = await prisma.$queryRaw<{ count: number; window_start: Date; now: Date }[]>`
          INSERT INTO rate_limit AS r (key, window_start, count) VALUES (${id}, now(), 1)
          ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN r.window_start <= now() - make_interval(secs => ${seconds})
                    THEN 1 ELSE r.count + 1 END,
            window_start = CASE WHEN r.window_start <= now() - make_interval(secs => ${seconds})
                    THEN now() ELSE r.window_start END
          RETURNING count, window_start, now() AS now`;
        if (!row) return undefined;
        const ttl = row.window_start.getTime() + windowMs - row.now.getTime();
        return { count: row.count, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
      } catch {
        return undefined;
      }
    },
  };
}
