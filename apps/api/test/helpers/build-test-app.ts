import { createPrismaClient, type PrismaClient } from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../src/app.ts';

export interface TestApp {
  app: FastifyInstance;
  prisma: PrismaClient;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A real API on its own migrated database (no listening socket: use app.inject). */
export async function buildTestApp(
  overrides: Partial<AppDeps> = {},
  extend?: (app: FastifyInstance) => Promise<void>,
): Promise<TestApp> {
  const db = await createTestDatabase();
  const prisma = createPrismaClient(db.url);
  const app = await buildApp({
    config: { webDist: undefined, logLevel: 'silent' },
    prisma,
    logger: false,
    ...overrides,
  });
  await extend?.(app);
  await app.ready();
  return {
    app,
    prisma,
    db,
    async close() {
      await app.close();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}
