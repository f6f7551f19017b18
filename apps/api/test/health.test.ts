import { HealthSchema, ProblemSchema, VERSION } from '@drydock/contract';
import { createPrismaClient } from '@drydock/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWithClient, buildTestApp, type TestApp } from './helpers/build-test-app.ts';

describe('GET /api/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('reports ok, the version and a reachable database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = HealthSchema.parse(res.json());
    expect(body.status).toBe('ok');
    expect(body.version).toBe(VERSION);
    expect(body.database.status).toBe('up');
    expect(body.database.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 with the database error when the database is unreachable', async () => {
    // A real client pointed at a port where nothing listens.
    const prisma = createPrismaClient('postgresql://drydock:x@127.0.0.1:1/drydock');
    const app = await apiWithClient(prisma);
    try {
      const res = await app.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(503);
      const body = HealthSchema.parse(res.json());
      expect(body.status).toBe('degraded');
      expect(body.database.status).toBe('down');
      expect(body.database.error).toBeTruthy();
      expect(body.scans.state).toBe('unknown');
      // Every other route answers 503 with a problem body and Retry-After, never a 500.
      for (const [url, headers] of [
        ['/api/v1/setup', {}],
        ['/api/v1/summary', { authorization: 'Bearer ddk_some-token' }],
        ['/api/v1/summary', { cookie: 'drydock_session=abc' }],
      ] as const) {
        const down = await app.inject({ method: 'GET', url, headers });
        expect([url, down.statusCode]).toEqual([url, 503]);
        expect(down.headers['retry-after']).toBe('5');
        expect(ProblemSchema.parse(down.json()).code).toBe('database_unavailable');
      }
    } finally {
      await app.close();
      await prisma.$disconnect();
    }
  });

  it('reports workers and the queue, and says when scans cannot progress', async () => {
    const health = async () =>
      HealthSchema.parse((await t.app.inject({ method: 'GET', url: '/api/health' })).json());
    await t.prisma.workerProcess.deleteMany({});
    const idle = await health();
    expect(idle.workers).toEqual({ alive: 0, running: 0, windowSeconds: 30 });
    expect(idle.queue).toEqual({ queued: 0, running: 0, oldestQueuedSeconds: null });
    expect(idle.scans.state).toBe('no_workers');

    // A job waits: still no worker, and the message says how many.
    await t.queue.send('registry.check', { instanceId: '00000000-0000-4000-8000-000000000001' });
    const waiting = await health();
    expect(waiting.queue?.queued).toBe(1);
    expect(waiting.scans).toEqual({
      state: 'no_workers',
      detail: expect.stringContaining('no worker is running: 1 job wait'),
    });

    // A worker beats (its heartbeat row is fresh), and the job is young: all is well.
    await t.prisma.workerProcess.create({
      data: { id: 'host:1', host: 'host', pid: 1, concurrency: 2, running: 1 },
    });
    const alive = await health();
    expect(alive.workers).toEqual({ alive: 1, running: 1, windowSeconds: 30 });
    expect(alive.scans).toEqual({ state: 'ok', detail: null });

    // The job has waited 10 minutes and nothing started since: stuck.
    await t.prisma.$executeRaw`UPDATE pgboss.job SET created_on = now() - interval '10 minutes'
      WHERE name = 'registry.check'`;
    const stuck = await health();
    expect(stuck.queue?.oldestQueuedSeconds).toBeGreaterThanOrEqual(600);
    expect(stuck.scans.state).toBe('stuck');
    expect(stuck.scans.detail).toContain('the oldest job has waited 10 min');

    // A worker last seen a minute ago is gone.
    await t.prisma.workerProcess.update({
      where: { id: 'host:1' },
      data: { lastSeenAt: new Date(Date.now() - 60_000) },
    });
    expect((await health()).workers?.alive).toBe(0);
    await t.prisma.$executeRaw`DELETE FROM pgboss.job WHERE name = 'registry.check'`;
  });

  it('is described in the OpenAPI document at /api/docs/json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, { get?: unknown }> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/health']?.get).toBeDefined();
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('answers unknown API routes with a problem+json 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/does-not-exist?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const problem = ProblemSchema.parse(res.json());
    expect(problem).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(problem.detail).toContain('/api/does-not-exist');
    expect(problem.requestId).toBeTruthy();
  });
});
