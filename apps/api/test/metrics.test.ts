import { randomBytes, randomUUID } from 'node:crypto';
import { importAdvisories } from '@drydock/advisories';
import { PgAdvisoryStore } from '@drydock/db';
import { toCycloneDx } from '@drydock/sbom';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

/** Prometheus text format → `name{labels}` → value (labels as written, sorted by the writer). */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv', 'Go'));
  }, 120_000);
  afterAll(() => t?.close());

  const scrape = async (authorization?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/metrics',
      ...(authorization !== undefined ? { headers: { authorization } } : {}),
    });

  it('needs an unscoped token with the metrics permission: admins and auditors', async () => {
    expect((await scrape('')).statusCode).toBe(401);
    expect((await scrape(`Bearer ${await t.token('ana', 'analyst')}`)).statusCode).toBe(403);
    expect((await scrape(`Bearer ${await t.token('vic', 'viewer')}`)).statusCode).toBe(403);
    const instance = await t.prisma.registryInstance.create({
      data: { name: 'scoped', url: 'https://registry.invalid' },
    });
    const scoped = await t.token('aud-scoped', 'auditor', { instanceIds: [instance.id] });
    expect((await scrape(`Bearer ${scoped}`)).statusCode).toBe(403);
    const auditor = await scrape(`Bearer ${await t.token('aud', 'auditor')}`);
    expect(auditor.statusCode).toBe(200);
    expect(auditor.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('the fleet as the database has it: scans by result and duration, queue, workers, open findings, advisory age', async () => {
    // A real scan: Drydock's SBOM of the Go binaries image, matched against the Go advisories.
    const { report } = await scanImage(shared('images', 'go-binaries.tar'));
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sboms?name=metrics/go:1',
      headers: { 'content-type': 'application/json' },
      payload: toCycloneDx(report),
    });
    expect(imported.statusCode).toBe(201);
    // A failed scan, a queued job nobody runs, a live worker, a finished advisory import.
    const started = new Date(Date.now() - 90_000);
    await t.prisma.scanJob.create({
      data: {
        kind: 'registry',
        target: 'x',
        status: 'failed',
        reason: 'pull failed',
        startedAt: started,
        finishedAt: new Date(started.getTime() + 45_000),
      },
    });
    await t.queue.send('registry.check', { instanceId: randomUUID() });
    await t.prisma.workerProcess.create({
      data: { id: 'metrics-test:1', host: 'metrics-test', pid: 1, concurrency: 2, running: 1 },
    });
    await t.prisma.advisoryImport.create({
      data: {
        source: 'test',
        status: 'succeeded',
        finishedAt: new Date(Date.now() - 3_600_000),
      },
    });

    const res = await scrape();
    expect(res.statusCode).toBe(200);
    const m = parseExposition(res.body);

    const open = await t.prisma.finding.groupBy({
      by: ['category', 'priority'],
      where: { status: 'open' },
      _count: true,
    });
    expect(open.length).toBeGreaterThan(0);
    for (const row of open) {
      expect(
        m.get(`drydock_findings_open{category="${row.category}",priority="${row.priority}"}`),
      ).toBe(row._count);
    }
    expect(m.get('drydock_findings_open{category="system",priority="high"}')).toBe(
      open.find((r) => r.category === 'system' && r.priority === 'high')?._count ?? 0,
    );

    const succeeded = await t.prisma.scanJob.count({ where: { status: 'succeeded' } });
    expect(succeeded).toBeGreaterThan(0);
    expect(m.get('drydock_scans_total{result="succeeded"}')).toBe(succeeded);
    expect(m.get('drydock_scans_total{result="failed"}')).toBe(1);
    // The failed scan took 45 s: not in the 30 s bucket, in the 60 s one; buckets cumulative.
    expect(m.get('drydock_scan_duration_seconds_bucket{result="failed",le="30"}')).toBe(0);
    expect(m.get('drydock_scan_duration_seconds_bucket{result="failed",le="60"}')).toBe(1);
    expect(m.get('drydock_scan_duration_seconds_bucket{result="failed",le="+Inf"}')).toBe(1);
    expect(m.get('drydock_scan_duration_seconds_sum{result="failed"}')).toBeCloseTo(45, 3);
    expect(m.get('drydock_scan_duration_seconds_count{result="succeeded"}')).toBe(succeeded);
    let previous = 0;
    for (const le of [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, '+Inf']) {
      const v = m.get(`drydock_scan_duration_seconds_bucket{result="succeeded",le="${le}"}`) ?? -1;
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
    expect(previous).toBe(succeeded);

    expect(m.get('drydock_queue_jobs{queue="registry.check",state="queued"}')).toBe(1);
    expect(m.get('drydock_queue_jobs{queue="image.scan",state="active"}')).toBe(0);
    expect(
      m.get('drydock_queue_oldest_job_age_seconds{queue="registry.check"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(m.has('drydock_queue_oldest_job_age_seconds{queue="image.scan"}')).toBe(true);
    expect(m.get('drydock_workers_alive')).toBe(1);
    expect(m.get('drydock_worker_scans_running')).toBe(1);
    expect(m.get('drydock_advisory_database_age_seconds')).toBeGreaterThanOrEqual(3600);
    expect(m.get('drydock_advisory_database_age_seconds')).toBeLessThan(3700);
    expect(m.get('drydock_advisory_records')).toBe(await t.prisma.advisory.count());
  });

  it('HTTP requests by route template, never the raw URL', async () => {
    const digest = randomBytes(32).toString('hex');
    for (let i = 0; i < 3; i++)
      await t.app.inject({ method: 'GET', url: `/api/v1/images/sha256:${digest}` });
    await t.app.inject({ method: 'GET', url: '/api/v1/no/such/route' });
    const body = (await scrape()).body;
    const m = parseExposition(body);
    expect(
      m.get(
        'drydock_http_request_duration_seconds_count{method="GET",route="/api/v1/images/:digest",status="404"}',
      ),
    ).toBe(3);
    expect(
      m.get(
        'drydock_http_request_duration_seconds_count{method="GET",route="(unmatched)",status="404"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect([...m.keys()].some((k) => k.includes(digest))).toBe(false);
  });

  it('a group of figures that cannot be read keeps its last values and is counted; the rest stay current', async () => {
    await t.prisma.$executeRawUnsafe('ALTER SCHEMA pgboss RENAME TO pgboss_away');
    try {
      await t.prisma.workerProcess.create({
        data: { id: 'metrics-test:2', host: 'metrics-test', pid: 2, concurrency: 1 },
      });
      const m = parseExposition((await scrape()).body);
      expect(m.get('drydock_metrics_read_errors_total{part="queue"}')).toBe(1);
      expect(m.get('drydock_queue_jobs{queue="registry.check",state="queued"}')).toBe(1);
      expect(m.get('drydock_workers_alive')).toBe(2);
    } finally {
      await t.prisma.$executeRawUnsafe('ALTER SCHEMA pgboss_away RENAME TO pgboss');
    }
  });
});
