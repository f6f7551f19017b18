import { ProblemSchema } from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '../src/lib/errors.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

// Routes registered by the test on the real app, to drive each error path of the handler.
const probeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/test/echo',
    {
      config: { permission: 'read' },
      schema: {
        body: z.object({ name: z.string().min(2), count: z.number().int() }).strict(),
        querystring: z.object({ page: z.coerce.number().int().min(1).default(1) }).strict(),
        response: { 200: z.object({ name: z.string() }) },
      },
    },
    async (request) => ({ name: request.body.name }),
  );
  app.get('/api/test/conflict', { config: { permission: 'read' } }, async () => {
    throw new ConflictError('image already being scanned');
  });
  app.get('/api/test/crash', { config: { permission: 'read' } }, async () => {
    throw new Error('secret internal detail: password=hunter2');
  });
  app.get(
    '/api/test/bad-response',
    { config: { permission: 'read' }, schema: { response: { 200: z.object({ n: z.number() }) } } },
    async () => ({ n: 'not a number' }) as unknown as { n: number },
  );
};

describe('problem+json errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { maxUploadBytes: 1_000_000 } }, async (app) => {
      await app.register(probeRoutes);
    });
  });
  afterAll(() => t.close());

  const problemOf = (body: string) => ProblemSchema.parse(JSON.parse(body));

  it('turns body validation failures into 400 with per-field errors', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { name: 'x', count: 1.5 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const problem = problemOf(res.body);
    expect(problem.code).toBe('validation_failed');
    const paths = problem.errors?.map((e) => e.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.count']));
  });

  it('rejects unknown query keys with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/test/echo?page=1&sort=evil',
      payload: { name: 'ok', count: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res.body).code).toBe('validation_failed');
  });

  it('turns malformed JSON into 400, never 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res.body).status).toBe(400);
  });

  it('rejects bodies over the limit with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
    });
    expect(res.statusCode).toBe(413);
    expect(problemOf(res.body).status).toBe(413);
  });

  it('stops an image upload over DRYDOCK_MAX_UPLOAD_BYTES with 413 and keeps none of it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans/upload?name=huge.tar',
      headers: { 'content-type': 'application/x-tar' },
      payload: Buffer.alloc(3_000_000, 7),
    });
    expect(res.statusCode).toBe(413);
    expect(problemOf(res.body)).toMatchObject({
      status: 413,
      detail: 'the upload exceeds 1000000 bytes (DRYDOCK_MAX_UPLOAD_BYTES)',
    });
    expect(await t.prisma.upload.count()).toBe(0);
    expect(await t.prisma.uploadChunk.count()).toBe(0);
    expect(await t.prisma.scanJob.count()).toBe(0);
  });

  it('keeps the status and code of application errors', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/test/conflict' });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res.body)).toMatchObject({
      code: 'conflict',
      detail: 'image already being scanned',
    });
  });

  it('masks unexpected errors as 500 without internal details', async () => {
    for (const url of ['/api/test/crash', '/api/test/bad-response']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(500);
      const problem = problemOf(res.body);
      expect(problem.code).toBe('internal_error');
      expect(res.body).not.toContain('hunter2');
      expect(res.body).not.toContain('not a number');
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});
