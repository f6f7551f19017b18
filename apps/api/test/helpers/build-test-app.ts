import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createPrismaClient, type PrismaClient, type Queue, startQueue } from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../src/app.ts';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789';

export interface TestApp {
  app: FastifyInstance;
  prisma: PrismaClient;
  queue: Queue;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A real API on its own migrated database (no listening socket: use app.inject). */
export async function buildTestApp(
  overrides: Omit<Partial<AppDeps>, 'config'> & { config?: Partial<AppDeps['config']> } = {},
  extend?: (app: FastifyInstance) => Promise<void>,
): Promise<TestApp> {
  const db = await createTestDatabase();
  const prisma = createPrismaClient(db.url);
  const queue = await startQueue(db.url);
  const app = await buildApp({
    config: {
      webDist: undefined,
      logLevel: 'silent',
      secretKey: TEST_SECRET_KEY,
      uploadDir: path.join(os.tmpdir(), `drydock-uploads-${randomUUID()}`),
      maxUploadBytes: 256 * 1024 * 1024,
      registryTimeoutMs: 5_000,
      ...overrides.config,
    },
    prisma,
    queue,
    logger: false,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  await extend?.(app);
  await app.ready();
  return {
    app,
    prisma,
    queue,
    db,
    async close() {
      await app.close();
      await queue.stop();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}
