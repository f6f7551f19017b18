import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { importAdvisories } from '@drydock/advisories';
import { PgAdvisoryStore } from '@drydock/db';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { waitFor } from '../../../test/support/wait.ts';

const until = <T>(fn: () => Promise<T | undefined>) => waitFor(fn, 90_000, 'scan state');

import type { RunningWorker } from '../../worker/src/worker.ts';
import { buildTestApp, startTestWorker, type TestApp } from './helpers/build-test-app.ts';

describe('registries and Scan Now through the API, with a real registry and worker', () => {
  let t: TestApp;
  let registry: TestRegistry;
  let worker: RunningWorker;
  let registryId: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/node-app:1.0',
    );
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'tools/go:1');
    t = await buildTestApp();
    await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv'));
    worker = await startTestWorker(t);
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    await registry?.stop();
  });

  const scanDone = (id: string) =>
    until(async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/scans/${id}` });
      const body = res.json();
      return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
    });

  it('adds a registry; the password is stored sealed and never returned', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries',
      payload: { name: 'x', url: 'ftp://nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('body.url');

    const password = registry.credentials?.password as string;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries',
      payload: { name: 'local', url: `${registry.url}/`, credentials: registry.credentials },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(password);
    expect(res.json()).toMatchObject({
      name: 'local',
      url: registry.url,
      username: 'scanner',
      hasCredentials: true,
    });
    registryId = res.json().id;
    const stored = await t.prisma.registryInstance.findUniqueOrThrow({ where: { id: registryId } });
    expect(stored.secret).toMatch(/^v2\./);
    expect(stored.secret).not.toContain(password);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/registries' });
    expect(list.body).not.toContain(password);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries',
      payload: { name: 'local', url: registry.url },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().detail).toBe("a registry named 'local' already exists");

    // The sealed password is bound to this row: copied into another registry it does not open.
    const copy = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries',
      payload: { name: 'copy', url: registry.url },
    });
    await t.prisma.registryInstance.update({
      where: { id: copy.json().id },
      data: { username: 'scanner', secret: stored.secret },
    });
    const copied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/registries/${copy.json().id}/test`,
    });
    expect(copied.json()).toMatchObject({ ok: false, code: 'secret_unreadable' });
    expect(copied.json().error).toContain('moved from another record');
    // Moving a registry to another host needs its credentials again; the same host does not.
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registries/${registryId}`,
      payload: { url: 'https://elsewhere.example.com' },
    });
    expect([moved.statusCode, moved.json().code]).toEqual([422, 'credentials_required']);
    const samePlace = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registries/${registryId}`,
      payload: { url: `${registry.url}/` },
    });
    expect(samePlace.statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/registries/${copy.json().id}` });
  });

  it('tests the connection: right credentials, wrong ones, and before saving', async () => {
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/registries/${registryId}/test` });
    expect(ok.json()).toEqual({ ok: true, auth: 'basic', error: null, code: null });
    const unsaved = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries/test-connection',
      payload: { url: registry.url, credentials: { username: 'scanner', password: 'wrong' } },
    });
    expect(unsaved.json()).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(unsaved.json().error).toContain('refused the credentials');
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries/test-connection',
      payload: { url: registry.url },
    });
    expect(anonymous.json().error).toBe(`${registry.host} requires credentials (401)`);
    const row = await t.app.inject({ method: 'GET', url: `/api/v1/registries/${registryId}` });
    expect(row.json()).toMatchObject({ lastCheckOk: true, lastCheckError: null });
  });

  it('syncs, then Scan Now reports per-image progress to completion and findings appear', async () => {
    const sync = await t.app.inject({
      method: 'POST',
      url: `/api/v1/registries/${registryId}/sync`,
    });
    expect(sync.statusCode).toBe(202);
    await until(async () => {
      const r = (
        await t.app.inject({ method: 'GET', url: `/api/v1/registries/${registryId}` })
      ).json();
      return r.imageCount === 2 ? r : undefined;
    });
    const created = await (await t.as('alice', 'analyst'))({
      method: 'POST',
      url: '/api/v1/scans',
      payload: { scope: { kind: 'instance', instanceId: registryId } },
    });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ images: 2, joined: 0 });
    const scan = await scanDone(created.json().id);
    expect(scan).toMatchObject({
      status: 'succeeded',
      progress: 100,
      trigger: 'manual',
      requestedBy: 'alice (token test)',
      counts: { total: 2, succeeded: 2, failed: 0, queued: 0, running: 0 },
    });
    for (const item of scan.items) {
      expect(item).toMatchObject({
        status: 'succeeded',
        kind: 'registry',
        reason: null,
        progress: { phase: 'done' },
      });
      expect(item.result.findings.opened).toBeGreaterThan(0);
    }
    const vulns = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vulnerabilities?category=application&instanceId=${registryId}&repository=node-app`,
    });
    expect(vulns.json().items.map((v: { id: string }) => v.id)).toContain('CVE-2020-8203');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/scans' });
    expect(list.json().items[0]).toMatchObject({ id: scan.id, status: 'succeeded' });
  }, 120_000);

  it('a failed image keeps its reason and can be retried', async () => {
    const repo = await t.prisma.repository.findFirstOrThrow({ where: { name: 'go' } });
    const ghost = await t.prisma.image.create({
      data: { repositoryId: repo.id, digest: `sha256:${'9'.repeat(64)}`, name: 'ghost' },
    });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      payload: { scope: { kind: 'repository', repositoryId: repo.id } },
    });
    const scan = await scanDone(created.json().id);
    expect(scan.status).toBe('failed');
    expect(scan.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    const failed = scan.items.find((i: { imageId: string }) => i.imageId === ghost.id);
    expect(failed.reason).toContain(`manifest tools/go@sha256:${'9'.repeat(64)} not found (404`);
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/scans/${scan.id}/retry` });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ retried: 1, joined: 0 });
    const again = await until(async () => {
      const s = await t.prisma.scanJob.findUniqueOrThrow({ where: { id: failed.id } });
      return s.status === 'failed' && s.attempts === 2 ? s : undefined;
    });
    expect(again.reason).toContain('not found (404');
  }, 60_000);

  it('scans an uploaded tarball; a corrupt upload fails with a reason', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans/upload?name=alpine-311.tar.gz',
      headers: { 'content-type': 'application/gzip' },
      payload: createReadStream(shared('images', 'alpine-311.tar.gz')),
    });
    expect(res.statusCode).toBe(202);
    const scan = await scanDone(res.json().id);
    expect(scan).toMatchObject({
      status: 'succeeded',
      trigger: 'upload',
      scope: { kind: 'upload', name: 'alpine-311.tar.gz' },
    });
    const image = await t.prisma.image.findUniqueOrThrow({ where: { id: scan.items[0].imageId } });
    expect(image).toMatchObject({
      name: 'alpine-311.tar.gz',
      repositoryId: null,
      osFamily: 'alpine',
      packageCount: 14,
    });
    // The tarball travelled through Postgres (no shared folder) and is removed once scanned.
    const job = await t.prisma.scanJob.findUniqueOrThrow({ where: { id: scan.items[0].id } });
    expect(job.uploadId).toBeNull();
    expect(await t.prisma.upload.count({ where: { name: 'alpine-311.tar.gz' } })).toBe(0);

    const whole = await readFile(shared('images', 'debian12-node-app.tar'));
    const corrupt = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans/upload?name=broken.tar',
      headers: { 'content-type': 'application/x-tar' },
      payload: whole.subarray(0, 3_000_000),
    });
    const failed = await scanDone(corrupt.json().id);
    expect(failed.status).toBe('failed');
    expect(failed.items[0].reason).toMatch(/broken\.tar|truncated|unexpected end|not present/i);
    // A failed upload keeps its tarball for a retry (pruned a day later).
    const kept = await t.prisma.upload.findFirstOrThrow({ where: { name: 'broken.tar' } });
    expect(kept.bytes).toBe(3_000_000n);
    expect(await t.prisma.uploadChunk.count({ where: { uploadId: kept.id } })).toBe(1);
  }, 60_000);

  it('answers bad input with 4xx problems', async () => {
    const cases: [string, string, unknown, number, string?][] = [
      ['POST', '/api/v1/scans', { scope: { kind: 'images', imageIds: ['x'] } }, 400],
      ['POST', '/api/v1/scans', { scope: { kind: 'nope' } }, 400],
      [
        'POST',
        '/api/v1/scans',
        { scope: { kind: 'images', imageIds: ['00000000-0000-4000-8000-000000000000'] } },
        404,
      ],
      [
        'POST',
        '/api/v1/scans',
        { scope: { kind: 'repository', repositoryId: '00000000-0000-4000-8000-000000000000' } },
        404,
      ],
      ['GET', '/api/v1/scans/not-a-uuid', undefined, 400],
      ['GET', '/api/v1/scans/00000000-0000-4000-8000-000000000000', undefined, 404],
      ['POST', '/api/v1/registries/00000000-0000-4000-8000-000000000000/sync', undefined, 404],
      ['PATCH', `/api/v1/registries/${registryId}`, {}, 400],
      ['PATCH', `/api/v1/registries/${registryId}`, { scanIntervalMinutes: 1 }, 400],
    ];
    for (const [method, url, payload, status] of cases) {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        ...(payload ? { payload } : {}),
      });
      expect([url, res.statusCode]).toEqual([url, status]);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const noType = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans/upload?name=a.tar',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(noType.statusCode).toBe(415);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans/upload?name=a.tar',
      headers: { 'content-type': 'application/x-tar' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
  });

  it('schedules, edits and removes a registry', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registries/${registryId}`,
      payload: { scanIntervalMinutes: 60, credentials: null },
    });
    expect(res.json()).toMatchObject({
      scanIntervalMinutes: 60,
      hasCredentials: false,
      username: null,
    });
    expect(new Date(res.json().nextScheduledAt).getTime()).toBeGreaterThan(
      Date.now() + 59 * 60_000,
    );
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/registries/${registryId}` });
    expect(del.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/registries/${registryId}` })).statusCode,
    ).toBe(404);
    expect(await t.prisma.image.count({ where: { repositoryId: { not: null } } })).toBe(0);
  });
});
