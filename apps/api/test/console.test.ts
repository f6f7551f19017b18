import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

describe('console serving', () => {
  let t: TestApp;
  let dist: string;
  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), 'drydock-web-'));
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Drydock console</title>');
    await writeFile(path.join(dist, 'app.js'), 'console.log(1)');
    t = await buildTestApp({ config: { webDist: dist, logLevel: 'silent' } });
  });
  afterAll(async () => {
    await t.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('serves index.html at /', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Drydock console');
  });

  it('serves assets, and index.html for client-side routes (deep links)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/app.js' })).body).toBe('console.log(1)');
    const deep = await t.app.inject({ method: 'GET', url: '/image-security/malicious?x=1' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('Drydock console');
  });

  it('keeps 404 problem+json for unknown API paths and missing assets', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    const asset = await t.app.inject({ method: 'GET', url: '/missing.js' });
    expect(asset.statusCode).toBe(404);
  });
});
