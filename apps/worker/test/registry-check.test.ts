import {
  createPrismaClient,
  freePort,
  type PrismaClient,
  type Queue,
  startQueue,
} from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { startWorker } from '../src/worker.ts';
import { TEST_SECRET_KEY } from './helpers.ts';

describe('registry.check job, through pg-boss and a real registry', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let producer: Queue;
  let consumer: Queue;
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    // Producer and consumer are separate pg-boss instances, as API and worker processes are.
    producer = await startQueue(db.url);
    consumer = await startQueue(db.url);
    await startWorker({
      queue: consumer,
      prisma,
      logger: pino({ level: 'silent' }),
      concurrency: 2,
      secretKey: TEST_SECRET_KEY,
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await registry?.stop();
  });

  const checked = (id: string) =>
    waitFor(async () => {
      const row = await prisma.registryInstance.findUniqueOrThrow({ where: { id } });
      return row.lastCheckAt ? row : undefined;
    });

  it('marks a live registry as reachable', async () => {
    const instance = await prisma.registryInstance.create({
      data: { name: 'local', url: registry.url },
    });
    const jobId = await producer.send('registry.check', { instanceId: instance.id });
    const row = await checked(instance.id);
    expect(row.lastCheckOk).toBe(true);
    expect(row.lastCheckError).toBeNull();
    const job = await waitFor(async () => {
      const j = await producer.boss.getJobById('registry.check', jobId);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job.output).toMatchObject({ ok: true, auth: 'none' });
  });

  it('records the reason when nothing listens at the registry URL', async () => {
    const port = await freePort();
    const instance = await prisma.registryInstance.create({
      data: { name: 'down', url: `http://127.0.0.1:${port}` },
    });
    await producer.send('registry.check', { instanceId: instance.id });
    const row = await checked(instance.id);
    expect(row.lastCheckOk).toBe(false);
    expect(row.lastCheckError).toBe(`127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });

  it('rejects a payload that breaks the contract before it reaches the queue', async () => {
    await expect(
      producer.send('registry.check', { instanceId: 'not-a-uuid' } as never),
    ).rejects.toThrow();
  });

  it('fails a malformed job already on the queue without stopping the worker', async () => {
    const badId = await producer.boss.send('registry.check', { instanceId: 42 }, { retryLimit: 0 });
    expect(badId).toBeTruthy();
    const failed = await waitFor(async () => {
      const j = await producer.boss.getJobById('registry.check', badId as string);
      return j?.state === 'failed' ? j : undefined;
    });
    expect(JSON.stringify(failed.output)).toMatch(/instanceId/);
    // The worker still serves the queue.
    const instance = await prisma.registryInstance.create({
      data: { name: 'after-bad', url: registry.url },
    });
    await producer.send('registry.check', { instanceId: instance.id });
    expect((await checked(instance.id)).lastCheckOk).toBe(true);
  });
});
