import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importAdvisories } from '@drydock/advisories';
import { PgAdvisoryStore } from '@drydock/db';
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
