import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importAdvisories } from '@drydock/advisories';
import { PgAdvisoryStore } from '@drydock/db';
import { validateCycloneDx, validateSpdx } from '@drydock/sbom';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/src/cli.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

describe('drydock scan --server --token pushes the result to the server', () => {
  let t: TestApp;
  let url: string;
  let cache: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv', 'Go'));
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-push-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(cache, { recursive: true, force: true });
  });

  // A CI pipeline's token, as an admin would create it for the pipeline's account.
  const tokenFor = (role: 'analyst' | 'viewer') => t.token(`ci-${role}`, role, {}, 'pipeline');
  const scan = async (...extra: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      [
        'scan',
        shared('images', 'go-binaries.tar'),
        '--format',
        'json',
        '--skip-malware',
        '--cache-dir',
        cache,
        ...extra,
      ],
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} },
    );
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it('lands like any other scan, matched with the server advisories', async () => {
    const token = await tokenFor('analyst');
    const res = await scan('--server', url, '--token', token, '--name', 'ci/go-binaries:42');
    expect(res.stderr).toMatch(
      /pushed to http:\/\/127\.0\.0\.1:\d+\/images\/sha256:[0-9a-f]{64} \(\d+ new, 0 still open\)/,
    );
    expect(res.code).toBe(0);
    const image = await t.prisma.image.findFirstOrThrow({ where: { name: 'ci/go-binaries:42' } });
    // The CLI had no advisory database; the server matched the Go advisories it holds.
    expect(
      await t.prisma.finding.count({ where: { imageId: image.id, category: 'application' } }),
    ).toBeGreaterThan(0);
    const scans = (await t.app.inject({ method: 'GET', url: '/api/v1/scans' })).json();
    expect(scans.items[0]).toMatchObject({
      trigger: 'cli',
      status: 'succeeded',
      requestedBy: 'ci-analyst (token pipeline)',
    });
    const again = await scan('--server', url, '--token', token, '--name', 'ci/go-binaries:42');
    expect(again.stderr).toMatch(/\(0 new, \d+ still open\)/);
  });

  it('the pushed image’s SBOM downloads as CycloneDX 1.6 and SPDX 2.3, both valid', async () => {
    const image = await t.prisma.image.findFirstOrThrow({ where: { name: 'ci/go-binaries:42' } });
    const get = (q: string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/images/${image.id}/sbom${q}` });
    const cdx = await get('');
    expect(cdx.statusCode, cdx.body.slice(0, 300)).toBe(200);
    expect(cdx.headers['content-type']).toMatch(/^application\/vnd\.cyclonedx\+json/);
    expect(cdx.headers['content-disposition']).toMatch(
      /filename="ci_go-binaries_42-[0-9a-f]{12}\.cdx\.json"/,
    );
    expect(await validateCycloneDx(cdx.body)).toBeNull();
    const bom = JSON.parse(cdx.body);
    expect(bom.metadata.component.name).toBe('ci/go-binaries:42');
    expect(bom.metadata.component.version).toBe(image.digest);
    const packages = await t.prisma.analysisCache.findUniqueOrThrow({
      where: { key: image.analysisKey as string },
    });
    expect(bom.components).toHaveLength(
      new Set(
        (packages.inventory as { packages: { purl: string; path: string }[] }).packages.map(
          (p) => `${p.purl}#${p.path}`,
        ),
      ).size,
    );
    const spdx = await get('?format=spdx');
    expect(spdx.headers['content-type']).toMatch(/^application\/spdx\+json/);
    expect(validateSpdx(spdx.json())).toBeNull();
    // Unknown format: a 400 problem; an image without a stored inventory: 409 with the reason.
    expect((await get('?format=xml')).statusCode).toBe(400);
    const bare = await t.prisma.image.create({
      data: { digest: `sha256:${'0'.repeat(64)}`, name: 'bare' },
    });
    const none = await t.app.inject({ method: 'GET', url: `/api/v1/images/${bare.id}/sbom` });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('no_inventory');
  });

  it('fails with exit code 3 and the reason when the server refuses', async () => {
    const viewer = await tokenFor('viewer');
    const denied = await scan('--server', url, '--token', viewer);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('HTTP 403: the viewer role may not do this (needs scan)');
    const bad = await scan('--server', url, '--token', 'ddk_not-a-token');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('HTTP 401');
    const usage = await scan('--server', url);
    expect(usage.code).toBe(2);
  });
});
