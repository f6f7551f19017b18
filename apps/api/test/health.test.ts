import { HealthSchema, ProblemSchema } from '@drydock/contract';
import { createPrismaClient } from '@drydock/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.ts';
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
    } finally {
      await app.close();
      await prisma.$disconnect();
    }
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
