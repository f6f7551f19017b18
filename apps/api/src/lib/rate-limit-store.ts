import { createHash } from 'node:crypto';
import type { PrismaClient } from '@drydock/db';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';

const PRUNE_EVERY_MS = 60_000;

/**
 * A @fastify/rate-limit store in PostgreSQL, so every API process counts the same requests (an
 * in-memory store would multiply the allowance by the number of processes). One UPSERT per
 * request on an UNLOGGED table, fixed windows; keys are hashed because they may be a token or a
 * session cookie. Windows older than an hour are removed at most once a minute per process.
 */
export function pgRateLimitStore(prisma: PrismaClient) {
  let lastPrune = 0;
  return class PgRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options?: unknown,
      private readonly prefix = '',
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const id = createHash('sha256').update(`${this.prefix}\0${key}`).digest('base64url');
      prisma.$queryRaw<{ count: number; window_start: Date; now: Date }[]>`
        INSERT INTO rate_limit AS r (key, window_start, count) VALUES (${id}, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN r.window_start <= now() - make_interval(secs => ${timeWindow / 1000})
                  THEN 1 ELSE r.count + 1 END,
          window_start = CASE WHEN r.window_start <= now() - make_interval(secs => ${timeWindow / 1000})
                  THEN now() ELSE r.window_start END
        RETURNING count, window_start, now() AS now`
        .then(([row]) => {
          if (!row) throw new Error('rate limit counter not returned');
          const ttl = row.window_start.getTime() + timeWindow - row.now.getTime();
          callback(null, { current: row.count, ttl: Math.max(0, ttl) });
        })
        .catch((error: unknown) =>
          callback(error instanceof Error ? error : new Error(String(error))),
        );
      const t = Date.now();
      if (t - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = t;
        prisma.$executeRaw`DELETE FROM rate_limit WHERE window_start < now() - interval '1 hour'`.catch(
          () => undefined,
        );
      }
    }

    /** A route with its own limits counts apart from the global one. */
    child(params: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // The plugin passes the merged limits with the route under `routeInfo`.
      const route = (params as { routeInfo?: { method?: unknown; url?: string } }).routeInfo ?? {};
      return new PgRateLimitStore(undefined, `${String(route.method)} ${route.url ?? ''}`);
    }
  };
}
