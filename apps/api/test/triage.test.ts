import {
  BulkTriageResultSchema,
  FINDING_EXPORT_COLUMNS,
  ProblemSchema,
  SampleDetailSchema,
  SampleListSchema,
  type ScanReport,
  SummarySchema,
  TriageResultSchema,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
let clock = Date.parse('2026-11-29T10:00:00Z');
let node: ScanReport;
let malware: ScanReport;
const registry = { name: 'prod', url: 'http://127.0.0.1:5000' };
const shop = {
  instance: registry,
  namespace: 'shop',
  repository: 'node-app',
  name: 'shop/node-app:1',
};
const staging = {
  instance: registry,
  namespace: 'staging',
  repository: 'node-app',
  name: 'staging/node-app:1',
};

const get = async <T>(url: string, schema: { parse(v: unknown): T }) => {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return schema.parse(res.json());
};
const post = async (url: string, payload: unknown, actor = 'alice') =>
  (await t.as(actor, 'analyst'))({ method: 'POST', url, payload: payload as object });
const minimistImages = async (status = 'open') =>
  (
    await get(
      `/api/v1/vulnerabilities?category=application&status=${status}&name=CVE-2021-44906`,
      VulnerabilityListSchema,
    )
  ).items.find((v) => v.id === 'CVE-2021-44906')?.affectedImages ?? 0;

beforeAll(async () => {
  t = await buildTestApp({ now: () => clock });
  const reports = await scanSharedImages(
    ['debian12-node-app.tar', 'malware-samples.tar'],
    ['advisories', 'osv', 'npm'],
  );
  node = reports.get('debian12-node-app.tar') as ScanReport;
  malware = reports.get('malware-samples.tar') as ScanReport;
  await seedImage(t.prisma, shop, node);
  await seedImage(t.prisma, staging, node);
  await seedImage(t.prisma, { name: 'malware-samples.tar' }, malware);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('triage', () => {
  it('ignore needs a reason; a scope limits it; every change is an event', async () => {
    const noReason = await post('/api/v1/vulnerabilities/CVE-2021-44906/triage', {
      action: 'ignore',
    });
    expect(noReason.statusCode).toBe(400);
    expect(ProblemSchema.parse(noReason.json()).errors?.[0]?.path).toMatch(/reason/);

    const ns = await t.prisma.namespace.findFirstOrThrow({ where: { name: 'staging' } });
    const res = await post('/api/v1/vulnerabilities/CVE-2021-44906/triage', {
      action: 'ignore',
      reason: 'CLI parsing not reachable in staging',
      scope: { type: 'namespace', id: ns.id },
    });
    expect(TriageResultSchema.parse(res.json())).toMatchObject({
      changed: 1,
      ruleId: expect.any(String),
    });
    expect(await minimistImages('open')).toBe(1);
    expect(await minimistImages('ignored')).toBe(1);

    const detail = await get('/api/v1/vulnerabilities/CVE-2021-44906', VulnerabilityDetailSchema);
    expect(detail.history[0]).toMatchObject({
      actor: 'alice (token test)',
      action: 'ignore',
      oldStatus: 'open',
      newStatus: 'ignored',
      reason: 'CLI parsing not reachable in staging',
      scope: `namespace:${ns.id}`,
    });
    // The event log cannot be rewritten.
    await t.prisma.$executeRaw`UPDATE triage_event SET actor = 'mallory'`;
    await t.prisma.$executeRaw`DELETE FROM triage_event`;
    expect(
      (await get('/api/v1/vulnerabilities/CVE-2021-44906', VulnerabilityDetailSchema)).history[0]
        ?.actor,
    ).toBe('alice (token test)');
  });

  it('a rescan keeps the ignore, and the rule covers the same vulnerability found again in that scope', async () => {
    await seedImage(t.prisma, staging, node);
    expect(await minimistImages('ignored')).toBe(1);
    const without = {
      ...node,
      vulnerabilities: (node.vulnerabilities ?? []).filter((v) => v.id !== 'CVE-2021-44906'),
    };
    await seedImage(t.prisma, staging, without);
    // Gone (resolved), then back: the staging rule still applies, so it comes back ignored.
    await seedImage(t.prisma, staging, node);
    expect(await minimistImages('ignored')).toBe(1);
    expect(await minimistImages('open')).toBe(1);
    // A new repository in the ignored namespace: its finding arrives ignored.
    await seedImage(
      t.prisma,
      { ...staging, repository: 'node-app-canary', name: 'staging/node-app-canary:1' },
      node,
    );
    expect(await minimistImages('ignored')).toBe(2);
    await t.prisma.image.deleteMany({ where: { name: 'staging/node-app-canary:1' } });
  });

  it('unignore, handle and reopen move status with events', async () => {
    const unignore = await post(
      '/api/v1/vulnerabilities/CVE-2021-44906/triage',
      { action: 'unignore', reason: 'reassessed' },
      'bob',
    );
    expect(TriageResultSchema.parse(unignore.json()).changed).toBeGreaterThanOrEqual(0);
    expect(await minimistImages('open')).toBe(2);
    const handle = await post('/api/v1/vulnerabilities/CVE-2021-44906/triage', {
      action: 'handle',
      reason: 'patched in next release',
    });
    expect(TriageResultSchema.parse(handle.json()).changed).toBe(2);
    expect(await minimistImages('handled')).toBe(2);
    expect(await minimistImages('open')).toBe(0);
    const reopen = await post('/api/v1/vulnerabilities/CVE-2021-44906/triage', {
      action: 'reopen',
    });
    expect(TriageResultSchema.parse(reopen.json()).changed).toBe(2);
    const history = (
      await get('/api/v1/vulnerabilities/CVE-2021-44906', VulnerabilityDetailSchema)
    ).history.map((h) => h.action);
    expect(history.slice(0, 5)).toEqual([
      'reopen',
      'reopen',
      'handle',
      'handle',
      expect.stringMatching(/unignore|ignore/),
    ]);
  });

  it('an ignore with an expiry resurfaces once it has passed', async () => {
    const res = await post('/api/v1/vulnerabilities/CVE-2020-8203/triage', {
      action: 'ignore',
      reason: 'waiver until the upgrade',
      expiresAt: new Date(clock + 3600_000).toISOString(),
    });
    expect(TriageResultSchema.parse(res.json()).changed).toBe(2);
    const ignored = await get(
      '/api/v1/vulnerabilities?category=application&status=ignored',
      VulnerabilityListSchema,
    );
    expect(ignored.items.map((v) => v.id)).toContain('CVE-2020-8203');
    clock += 2 * 3600_000;
    const open = await get(
      '/api/v1/vulnerabilities?category=application&name=CVE-2020-8203',
      VulnerabilityListSchema,
    );
    expect(open.items.map((v) => v.id)).toContain('CVE-2020-8203');
    const detail = await get('/api/v1/vulnerabilities/CVE-2020-8203', VulnerabilityDetailSchema);
    expect(detail.history[0]).toMatchObject({
      action: 'expire',
      actor: 'system',
      newStatus: 'open',
    });
  });

  it('decisions: not affected with a VEX justification, accepted risk that must expire, false positive', async () => {
    const url = '/api/v1/vulnerabilities/CVE-2020-7598/triage';
    const missing = await post(url, { action: 'ignore', reason: 'x', decision: 'not_affected' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/justification/);
    const noExpiry = await post(url, { action: 'ignore', reason: 'x', decision: 'accepted_risk' });
    expect(noExpiry.statusCode).toBe(400);
    const stray = await post(url, {
      action: 'ignore',
      reason: 'x',
      decision: 'false_positive',
      justification: 'component_not_present',
    });
    expect(stray.statusCode).toBe(400);
    const ok = await post(url, {
      action: 'ignore',
      reason: 'argv parsing only sees our own flags',
      decision: 'not_affected',
      justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const detail = await get('/api/v1/vulnerabilities/CVE-2020-7598', VulnerabilityDetailSchema);
    expect(
      detail.impact.every((i) => i.status === 'ignored' && i.decision === 'not_affected'),
    ).toBe(true);
    expect(detail.impact[0]?.justification).toBe(
      'vulnerable_code_cannot_be_controlled_by_adversary',
    );
    expect(detail.history[0]).toMatchObject({
      action: 'ignore',
      decision: 'not_affected',
      justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
    });
    // Unignored, the decision goes with it; an accepted risk then expires by itself.
    await post(url, { action: 'unignore' });
    const risk = await post(url, {
      action: 'ignore',
      reason: 'fix scheduled for the next sprint',
      decision: 'accepted_risk',
      expiresAt: new Date(clock + 3600_000).toISOString(),
    });
    expect(risk.statusCode).toBe(200);
    expect(
      (await get('/api/v1/vulnerabilities/CVE-2020-7598', VulnerabilityDetailSchema)).impact[0]
        ?.decision,
    ).toBe('accepted_risk');
    clock += 2 * 3600_000;
    const after = await get('/api/v1/vulnerabilities/CVE-2020-7598', VulnerabilityDetailSchema);
    expect(after.impact.every((i) => i.status === 'open' && i.decision === null)).toBe(true);
    expect(after.history[0]).toMatchObject({ action: 'expire', actor: 'system' });
  });

  it('samples triage the same way', async () => {
    const samples = await get('/api/v1/malicious-samples?pageSize=50', SampleListSchema);
    const eicar = samples.items.find((s) => s.category === 'Engtest');
    const res = await post(`/api/v1/malicious-samples/${eicar?.sha256}/triage`, {
      action: 'handle',
      reason: 'test file removed from the upload area',
    });
    expect(TriageResultSchema.parse(res.json()).changed).toBe(1);
    const detail = await get(`/api/v1/malicious-samples/${eicar?.sha256}`, SampleDetailSchema);
    expect(detail.history[0]).toMatchObject({ action: 'handle', newStatus: 'handled' });
    const summary = await get('/api/v1/summary', SummarySchema);
    expect(summary.malicious.total).toBe(11);
  });

  it('bulk over ids and over "everything matching this filter": one statement, one bulk id on every event', async () => {
    const byIds = await post('/api/v1/triage/bulk', {
      kind: 'vulnerability',
      ids: ['CVE-2021-23337', 'CVE-1999-0001'],
      triage: { action: 'handle', reason: 'sprint 42' },
    });
    const done = BulkTriageResultSchema.parse(byIds.json());
    expect(done).toMatchObject({ dryRun: false, findings: 2, images: 2, targets: 1 });
    expect(done.results).toEqual([
      { id: 'CVE-2021-23337', ok: true, changed: 2 },
      { id: 'CVE-1999-0001', ok: false, changed: 0, error: 'No vulnerability CVE-1999-0001' },
    ]);
    const events = await t.prisma.triageEvent.findMany({ where: { bulkId: done.bulkId } });
    expect(events.map((e) => [e.targetId, e.action, e.oldStatus, e.newStatus])).toEqual([
      ['CVE-2021-23337', 'handle', 'open', 'handled'],
      ['CVE-2021-23337', 'handle', 'open', 'handled'],
    ]);
    expect(new Set(events.map((e) => e.findingId)).size).toBe(2);

    const byFilter = await post('/api/v1/triage/bulk', {
      kind: 'sample',
      filter: { severity: 'warning' },
      triage: { action: 'ignore', reason: 'reviewed by SOC' },
    });
    // The proxy tampering and the RWX loader (EICAR is handled already).
    expect(BulkTriageResultSchema.parse(byFilter.json())).toMatchObject({
      findings: 2,
      targets: 2,
    });
    const bad = await post('/api/v1/triage/bulk', {
      kind: 'sample',
      ids: ['x'],
      filter: {},
      triage: { action: 'reopen' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('a vulnerability-tab filter: the dry run counts exactly what the action then changes', async () => {
    const filter = { category: 'application', priority: 'high', status: 'open' };
    const list = await get(
      '/api/v1/vulnerabilities?category=application&priority=high&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(list.total).toBeGreaterThan(1);
    const expected = await t.prisma.finding.count({
      where: {
        vulnerabilityId: { in: list.items.map((v) => v.id) },
        status: 'open',
        category: 'application',
      },
    });
    const preview = BulkTriageResultSchema.parse(
      (
        await post('/api/v1/triage/bulk', {
          kind: 'vulnerability',
          filter,
          dryRun: true,
          triage: { action: 'ignore', reason: 'accepted for the release' },
        })
      ).json(),
    );
    expect(preview).toMatchObject({
      dryRun: true,
      bulkId: null,
      findings: expected,
      targets: list.total,
    });
    expect(
      await t.prisma.finding.count({ where: { status: 'ignored', category: 'application' } }),
    ).toBe(0);

    const applied = BulkTriageResultSchema.parse(
      (
        await post('/api/v1/triage/bulk', {
          kind: 'vulnerability',
          filter,
          triage: { action: 'ignore', reason: 'accepted for the release' },
        })
      ).json(),
    );
    expect(applied).toMatchObject({ dryRun: false, findings: expected, images: preview.images });
    const after = await get(
      '/api/v1/vulnerabilities?category=application&priority=high',
      VulnerabilityListSchema,
    );
    expect(after.total).toBe(0);
    expect(await t.prisma.triageEvent.count({ where: { bulkId: applied.bulkId } })).toBe(expected);
    // And back: unignore everything the ignored tab shows.
    const back = BulkTriageResultSchema.parse(
      (
        await post('/api/v1/triage/bulk', {
          kind: 'vulnerability',
          filter: { category: 'application', status: 'ignored' },
          triage: { action: 'unignore' },
        })
      ).json(),
    );
    expect(back.findings).toBe(expected);
  });
});

describe('export', () => {
  it('streams every finding of the current filter as CSV and JSON, one row per finding', async () => {
    const open = await t.prisma.finding.count({
      where: { category: 'application', status: 'open' },
    });
    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vulnerabilities/export?category=application&format=csv',
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe(FINDING_EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(open + 1);
    const json = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vulnerabilities/export?category=application&format=json&priority=high',
    });
    const rows = JSON.parse(json.body) as Record<string, string | number | null>[];
    const high = await get(
      '/api/v1/vulnerabilities?category=application&priority=high&pageSize=200',
      VulnerabilityListSchema,
    );
    // Every finding of every high row, each with its image, package and layer.
    expect(new Set(rows.map((r) => r.vulnerability))).toEqual(new Set(high.items.map((v) => v.id)));
    expect(rows).toHaveLength(
      await t.prisma.finding.count({
        where: {
          vulnerabilityId: { in: high.items.map((v) => v.id) },
          category: 'application',
          status: 'open',
        },
      }),
    );
    const minimist = rows.find((r) => r.vulnerability === 'CVE-2021-44906');
    expect(minimist).toMatchObject({
      package: 'minimist',
      packageType: 'npm',
      installedVersion: '1.2.0',
      fixedVersion: '1.2.6',
      path: 'app/node_modules/minimist/package.json',
      status: 'open',
      foundIn: 'installed',
    });
    expect(minimist?.digest).toMatch(/^sha256:/);
    expect(String(minimist?.layerStep)).toContain('npm ci');
    const samples = await t.app.inject({
      method: 'GET',
      url: '/api/v1/malicious-samples/export?format=csv&severity=urgent',
    });
    expect(samples.body.trim().split('\n')).toHaveLength(1 + 9);
    const images = await t.app.inject({ method: 'GET', url: '/api/v1/images/export?format=json' });
    const imageRows = JSON.parse(images.body) as Record<string, unknown>[];
    expect(imageRows).toHaveLength(await t.prisma.image.count());
    expect(imageRows.find((r) => String(r.name).includes('node-app'))).toMatchObject({
      systemHigh: expect.any(Number),
      applicationHigh: expect.any(Number),
      digest: expect.stringMatching(/^sha256:/),
    });
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vulnerabilities/export?category=application&format=xlsx',
    });
    expect(bad.statusCode).toBe(400);
  });
});
