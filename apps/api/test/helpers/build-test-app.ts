import { createHash, randomUUID } from 'node:crypto';
import type { Role } from '@drydock/contract';
import { createPrismaClient, type PrismaClient, type Queue, startQueue } from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { type RunningWorker, startWorker } from '../../../worker/src/worker.ts';
import { type AppDeps, buildApp } from '../../src/app.ts';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789';

export interface TestApp {
  /** The API; `inject` acts as the admin (an API token) unless the request sets authorization. */
  app: FastifyInstance;
  /** Creates a user with that role and scope and returns an inject that acts as them (token). */
  as(
    username: string,
    role?: Role,
    scope?: { instanceIds?: string[]; namespaceIds?: string[] },
  ): Promise<FastifyInstance['inject']>;
  /** Creates (or reuses) a user and returns a new API token of theirs, named `name`. */
  token(
    username: string,
    role: Role,
    scope?: { instanceIds?: string[]; namespaceIds?: string[] },
    name?: string,
  ): Promise<string>;
  adminToken: string;
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
  const tokenFor = async (
    username: string,
    role: Role,
    scope: { instanceIds?: string[]; namespaceIds?: string[] } = {},
    name = 'test',
  ) => {
    const user = await prisma.user.upsert({
      where: { username },
      create: {
        username,
        passwordHash: '!',
        role,
        instanceIds: scope.instanceIds ?? [],
        namespaceIds: scope.namespaceIds ?? [],
      },
      update: {},
    });
    const token = `ddk_test_${randomUUID()}`;
    await prisma.apiToken.create({
      data: {
        name,
        tokenHash: createHash('sha256').update(token).digest('hex'),
        prefix: token.slice(0, 10),
        role,
        instanceIds: scope.instanceIds ?? [],
        namespaceIds: scope.namespaceIds ?? [],
        userId: user.id,
      },
    });
    return token;
  };
  const withToken = (token: string) =>
    ((opts: InjectOptions | string) => {
      const o = (typeof opts === 'string' ? { url: opts } : opts) as Record<string, unknown> & {
        headers?: Record<string, string>;
      };
      const headers = { ...(o.headers ?? {}) };
      if (!('authorization' in headers)) headers.authorization = `Bearer ${token}`;
      else if (!headers.authorization) delete headers.authorization;
      return app.inject({ ...o, headers } as never);
    }) as FastifyInstance['inject'];
  const adminToken = await tokenFor('admin', 'admin');
  const adminInject = withToken(adminToken);
  const proxied = new Proxy(app, {
    get(target, prop, receiver) {
      if (prop === 'inject') return adminInject;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    app: proxied,
    adminToken,
    async as(username, role = 'analyst', scope = {}) {
      return withToken(await tokenFor(username, role, scope));
    },
    token: tokenFor,
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

/**
 * An API on a given Prisma client: another API process on the same database, or one whose
 * database is unreachable.
 */
export async function apiWithClient(
  prisma: PrismaClient,
  config: Partial<AppDeps['config']> = {},
): Promise<FastifyInstance> {
  const app = await buildApp({
    config: {
      webDist: undefined,
      logLevel: 'silent',
      secretKey: TEST_SECRET_KEY,
      maxUploadBytes: 1024,
      ...config,
    },
    prisma,
    queue: { send: async () => 'unused', sendMany: async () => [] },
    logger: false,
  });
  await app.ready();
  return app;
}

/** A worker in this process on the app's queue and database (scans, push events, deliveries). */
export const startTestWorker = (t: Pick<TestApp, 'queue' | 'prisma'>): Promise<RunningWorker> =>
  startWorker({
    queue: t.queue,
    prisma: t.prisma,
    logger: pino({ level: 'silent' }),
    concurrency: 2,
    secretKey: TEST_SECRET_KEY,
  });
