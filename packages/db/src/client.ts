import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { poolConfigFromUrl } from './pool-config.ts';

export * as Prisma from './generated/prisma/client.ts';
export type { PrismaClient };

const urls = new WeakMap<PrismaClient, string>();
const bulkPools = new WeakMap<PrismaClient, pg.Pool>();

/** One client per process; the pg adapter keeps the connection pool. */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  const client = new PrismaClient({ adapter: new PrismaPg(poolConfigFromUrl(databaseUrl)) });
  urls.set(client, databaseUrl);
  return client;
}

/**
 * A small pg pool beside a Prisma client, for moving bulk bytes (uploaded tarballs): Prisma
 * passes bytea through its engine as text, about 4× slower and with several copies in memory,
 * while pg sends Buffers as binary parameters (reads are hex text either way). Its connections
 * close after a second idle, so it never keeps a process alive or a database busy.
 */
export function bulkPool(prisma: PrismaClient): pg.Pool {
  let pool = bulkPools.get(prisma);
  if (pool) return pool;
  const url = urls.get(prisma);
  if (!url) throw new Error('bulkPool needs a client made by createPrismaClient');
  pool = new pg.Pool({
    ...poolConfigFromUrl(url),
    max: 4,
    idleTimeoutMillis: 1_000,
    allowExitOnIdle: true,
  });
  // An idle connection ended by the server (restart, dropped test database) is not an error of
  // any request; the next query opens a new one.
  pool.on('error', () => undefined);
  bulkPools.set(prisma, pool);
  return pool;
}
