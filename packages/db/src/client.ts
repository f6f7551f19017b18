import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { poolConfigFromUrl } from './pool-config.ts';

export * as Prisma from './generated/prisma/client.ts';
export type { PrismaClient };

/** One client per process; the pg adapter keeps the connection pool. */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfigFromUrl(databaseUrl)) });
}
