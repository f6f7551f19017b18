import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import { AdvisoryStatusSchema, type ScanReport, TrendSchema } from '@drydock/contract';
import { PgAdvisoryStore } from '@drydock/db';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFile, seedImage } from '../../../scripts/seed-lib.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

describe('advisory status and import, and the findings trend', () => {
  let t: TestApp;
  let cache: string;
  const now = new Date('2026-11-29T12:00:00Z');

  beforeAll(async () => {
    t = await buildTestApp({
      now: () => now.getTime(),
      config: { advisoryMirrors: [shared('advisories')] },
    });
    cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-trend-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(cache, { recursive: true, force: true });
  });

  it('reports what the server database holds, and queues imports', async () => {
    const empty = AdvisoryStatusSchema.parse(
      (await t.app.inject({ method: 'GET', url: '/api/v1/advisories/status' })).json(),
    );
    expect(empty).toEqual({
      advisories: 0,
      ecosystems: [],
      knownExploited: 0,
      lastImportAt: null,
      latestImport: null,
      refresh: null,
      feeds: null,
    });
    await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv', 'npm'));
    const status = AdvisoryStatusSchema.parse(
      (await t.app.inject({ method: 'GET', url: '/api/v1/advisories/status' })).json(),
    );
    expect(status.advisories).toBe(499);
    expect(status.ecosystems.map((e) => e.ecosystem)).toContain('npm');
    const source = shared('advisories', 'osv');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/advisories/import',
      payload: { source },
    });
    expect(res.statusCode).toBe(202);
    const { jobId, importId } = res.json() as { jobId: string; importId: string };
    const job = await t.queue.boss.getJobById('advisories.import', jobId);
    expect(job?.data).toEqual({ source, importId });
    // The import is listed at once, queued, with who asked for it.
    const listed = (
      await t.app.inject({ method: 'GET', url: '/api/v1/advisories/imports' })
    ).json();
    expect(listed.items[0]).toMatchObject({
      id: importId,
      source,
      status: 'queued',
      trigger: 'manual',
    });
    const one = await t.app.inject({
      method: 'GET',
      url: `/api/v1/advisories/imports/${importId}`,
    });
    expect(one.json()).toMatchObject({ id: importId, status: 'queued' });
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/advisories/imports/00000000-0000-4000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    // Outside the mirror folders, or a local URL: refused with the reason, nothing queued, logged.
    for (const [refused, reason] of [
      ['/etc', /outside the advisory mirror folders/],
      [`${source}/../../images`, /outside the advisory mirror folders/],
      ['http://127.0.0.1:8080/api/v1/users', /loopback/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['file:///etc/passwd', /http and https only/],
    ] as const) {
      const no = await t.app.inject({
        method: 'POST',
        url: '/api/v1/advisories/import',
        payload: { source: refused },
      });
      expect([refused, no.statusCode, no.json().code]).toEqual([refused, 422, 'source_refused']);
      expect(no.json().detail).toMatch(reason);
    }
    const [queued] = await t.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pgboss.job WHERE name = 'advisories.import'`;
    expect(Number(queued?.n)).toBe(1);
    expect(
      await t.prisma.securityEvent.count({
        where: { action: 'advisories.import', outcome: 'denied' },
      }),
    ).toBe(5);
    // "Refresh now" (no source) needs configured feeds.
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/advisories/import',
      payload: {},
    });
    expect([none.statusCode, none.json().code]).toEqual([422, 'source_required']);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/advisories/import',
      payload: { source: '' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('"refresh now" queues the configured feeds: OSV, the KEV feed and the CVE record service', async () => {
    const feeds = {
      source: 'https://osv.example.org',
      kev: 'https://kev.example.org/known_exploited_vulnerabilities.json',
      cve: 'https://cve.example.org/api/cve/{id}',
    };
    const app = await buildTestApp({ config: { advisoryFeeds: feeds, advisoryRefresh: null } });
    try {
      const status = AdvisoryStatusSchema.parse(
        (await app.app.inject({ method: 'GET', url: '/api/v1/advisories/status' })).json(),
      );
      expect(status.feeds).toEqual(feeds);
      const now = await app.app.inject({
        method: 'POST',
        url: '/api/v1/advisories/import',
        payload: {},
      });
      expect(now.statusCode).toBe(202);
      const [job] = await app.prisma.$queryRaw<{ data: unknown }[]>`
        SELECT data FROM pgboss.job WHERE name = 'advisories.import'`;
      expect(job?.data).toEqual({ ...feeds, importId: now.json().importId });
      // Another source named by hand gets no feeds of its own.
      const other = await app.app.inject({
        method: 'POST',
        url: '/api/v1/advisories/import',
        payload: { source: 'https://mirror.example.org/osv' },
      });
      const [otherJob] = await app.prisma.$queryRaw<{ data: unknown }[]>`
        SELECT data FROM pgboss.job WHERE name = 'advisories.import' AND data->>'importId' = ${other.json().importId}`;
      expect(otherJob?.data).toEqual({
        source: 'https://mirror.example.org/osv',
        importId: other.json().importId,
      });
    } finally {
      await app.close();
    }
  });

  it('counts findings present at the end of each day, by priority', async () => {
    const db = await AdvisoryDb.open(cache);
    await importAdvisories(db, shared('advisories', 'osv', 'npm'));
    const report = await scanFile(shared('images', 'debian12-node-app.tar'), db);
    const where = { name: 'node-app:1' };
    const vulns = report.vulnerabilities ?? [];
    const count = (p: string, r: ScanReport) =>
      (r.vulnerabilities ?? []).filter((v) => v.priority === p).length;
    await seedImage(t.prisma, where, report, new Date('2026-11-25T08:00:00Z'));
    // Two days later the image was rebuilt without its high findings.
    const fixed = { ...report, vulnerabilities: vulns.filter((v) => v.priority !== 'high') };
    await seedImage(t.prisma, where, fixed, new Date('2026-11-27T09:00:00Z'));
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/summary/trend?days=7' });
    const { days } = TrendSchema.parse(res.json());
    expect(days.map((d) => d.day)).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
    ]);
    const highs = count('high', report);
    const mediums = count('medium', report);
    expect(highs).toBeGreaterThan(0);
    expect(days.map((d) => d.high)).toEqual([0, 0, highs, highs, 0, 0, 0]);
    expect(days.map((d) => d.medium)).toEqual([0, 0, mediums, mediums, mediums, mediums, mediums]);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/summary/trend?days=1' })).statusCode,
    ).toBe(400);
  });
});
