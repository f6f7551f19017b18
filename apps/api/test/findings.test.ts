import {
  ImageListSchema,
  ProblemSchema,
  SampleDetailSchema,
  SampleListSchema,
  type ScanReport,
  SummarySchema,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
let reports: Map<string, ScanReport>;
const registry = { name: 'prod', url: 'http://127.0.0.1:5000' };

async function get<T>(url: string, schema: { parse(v: unknown): T }): Promise<T> {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
  return schema.parse(res.json());
}

beforeAll(async () => {
  t = await buildTestApp();
  reports = await scanSharedImages([
    'debian12-node-app.tar',
    'alpine-311.tar.gz',
    'malware-samples.tar',
  ]);
  const node = reports.get('debian12-node-app.tar') as ScanReport;
  await seedImage(
    t.prisma,
    { instance: registry, namespace: 'shop', repository: 'node-app', name: 'shop/node-app:1' },
    node,
  );
  // The same image in a second repository: one vulnerability, two affected images.
  await seedImage(
    t.prisma,
    {
      instance: registry,
      namespace: 'staging',
      repository: 'node-app',
      name: 'staging/node-app:1',
    },
    node,
  );
  await seedImage(
    t.prisma,
    {
      instance: { name: 'other', url: 'http://127.0.0.1:5001' },
      namespace: 'library',
      repository: 'alpine',
      name: 'library/alpine:3.11',
    },
    reports.get('alpine-311.tar.gz') as ScanReport,
  );
  await seedImage(
    t.prisma,
    { name: 'malware-samples.tar' },
    reports.get('malware-samples.tar') as ScanReport,
  );
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('GET /api/v1/vulnerabilities', () => {
  it('lists one row per vulnerability of the application tab, with images and tags', async () => {
    const list = await get(
      '/api/v1/vulnerabilities?category=application&pageSize=200',
      VulnerabilityListSchema,
    );
    const minimist = list.items.find((v) => v.id === 'CVE-2021-44906');
    expect(minimist).toMatchObject({
      priority: 'high',
      severity: 'critical',
      affectedImages: 2,
      affectedPackages: 2,
    });
    expect(minimist?.tags).toContain('fix-available');
    expect(list.total).toBe(list.items.length);
    const expected = new Set(
      (reports.get('debian12-node-app.tar')?.vulnerabilities ?? [])
        .filter((v) => v.category === 'application')
        .map((v) => v.id),
    );
    expect(new Set(list.items.map((v) => v.id))).toEqual(expected);
  });

  it('separates the system tab and filters by priority, instance, namespace, repository and digest', async () => {
    const system = await get(
      '/api/v1/vulnerabilities?category=system&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(system.items.some((v) => v.id === 'CVE-2020-28928')).toBe(true);
    const high = await get(
      '/api/v1/vulnerabilities?category=application&priority=high&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(high.items.every((v) => v.priority === 'high')).toBe(true);
    const both = await get(
      '/api/v1/vulnerabilities?category=application&priority=high,medium&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(both.total).toBeGreaterThanOrEqual(high.total);

    const instance = await t.prisma.registryInstance.findUniqueOrThrow({
      where: { name: 'other' },
    });
    const alpineOnly = await get(
      `/api/v1/vulnerabilities?category=system&instanceId=${instance.id}&pageSize=200`,
      VulnerabilityListSchema,
    );
    expect(alpineOnly.items.length).toBeGreaterThan(0);
    expect(alpineOnly.items.every((v) => v.affectedImages === 1)).toBe(true);
    expect(alpineOnly.items.some((v) => v.id === 'CVE-2024-22365')).toBe(false); // Debian's pam

    const shop = await get(
      '/api/v1/vulnerabilities?category=application&namespace=shop&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(shop.items.find((v) => v.id === 'CVE-2021-44906')?.affectedImages).toBe(1);
    const repo = await get(
      '/api/v1/vulnerabilities?category=application&repository=NODE&pageSize=200',
      VulnerabilityListSchema,
    );
    expect(repo.total).toBe(both.total + (repo.total - both.total));
    // A docker archive has no manifest digest: the image is identified by its config digest.
    const nodeDigest = (reports.get('debian12-node-app.tar')?.target.configDigest ?? '').slice(
      7,
      19,
    );
    const byDigest = await get(
      `/api/v1/vulnerabilities?category=application&digest=${nodeDigest}&pageSize=200`,
      VulnerabilityListSchema,
    );
    expect(byDigest.total).toBe(
      both.total +
        (
          await get(
            '/api/v1/vulnerabilities?category=application&priority=low&pageSize=1',
            VulnerabilityListSchema,
          )
        ).total,
    );
    const alpineDigest = reports.get('alpine-311.tar.gz')?.target.configDigest ?? '';
    const none = await get(
      `/api/v1/vulnerabilities?category=application&digest=${alpineDigest}`,
      VulnerabilityListSchema,
    );
    expect(none.total).toBe(0);
  });

  it('matches names fuzzily on id, title and package, case-insensitively', async () => {
    const byPackage = await get(
      '/api/v1/vulnerabilities?category=application&name=LODASH',
      VulnerabilityListSchema,
    );
    expect(byPackage.items.map((v) => v.id)).toEqual(
      expect.arrayContaining(['CVE-2020-8203', 'CVE-2021-23337']),
    );
    const byId = await get(
      '/api/v1/vulnerabilities?category=application&name=cve-2021-4490',
      VulnerabilityListSchema,
    );
    expect(byId.items.map((v) => v.id)).toContain('CVE-2021-44906');
    const typo = await get(
      '/api/v1/vulnerabilities?category=application&name=minimsit',
      VulnerabilityListSchema,
    );
    expect(typo.items.map((v) => v.id)).toContain('CVE-2021-44906');
    const none = await get(
      '/api/v1/vulnerabilities?category=application&name=zzzz-qqqq',
      VulnerabilityListSchema,
    );
    expect(none).toMatchObject({ total: 0, items: [] });
  });

  it('paginates and sorts with stable totals', async () => {
    const all = await get(
      '/api/v1/vulnerabilities?category=application&pageSize=200&sort=id&order=asc',
      VulnerabilityListSchema,
    );
    const ids = all.items.map((v) => v.id);
    expect(ids).toEqual([...ids].sort());
    const p1 = await get(
      '/api/v1/vulnerabilities?category=application&pageSize=2&page=1&sort=id&order=asc',
      VulnerabilityListSchema,
    );
    const p2 = await get(
      '/api/v1/vulnerabilities?category=application&pageSize=2&page=2&sort=id&order=asc',
      VulnerabilityListSchema,
    );
    expect([...p1.items, ...p2.items].map((v) => v.id)).toEqual(ids.slice(0, 4));
    expect(p1.total).toBe(all.total);
    const past = await get(
      `/api/v1/vulnerabilities?category=application&pageSize=10&page=${all.total + 5}`,
      VulnerabilityListSchema,
    );
    expect(past).toMatchObject({ items: [], total: all.total });
    const byImages = await get(
      '/api/v1/vulnerabilities?category=application&pageSize=200&sort=images',
      VulnerabilityListSchema,
    );
    const counts = byImages.items.map((v) => v.affectedImages);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });
});

describe('details', () => {
  it('vulnerability detail: description, links, priority and why, fix commands, impact with layers', async () => {
    const d = await get('/api/v1/vulnerabilities/CVE-2021-44906', VulnerabilityDetailSchema);
    expect(d).toMatchObject({ severity: 'critical', priority: 'high', knownExploited: false });
    expect(d.links).toContain('https://nvd.nist.gov/vuln/detail/CVE-2021-44906');
    expect(d.fixCommands).toEqual(['npm install minimist@1.2.6']);
    expect(d.impact).toHaveLength(2);
    expect(d.impact[0]).toMatchObject({
      packageName: 'minimist',
      installedVersion: '1.2.0',
      fixedVersion: '1.2.6',
      cause: 'installed 1.2.0 is lower than fixed 1.2.6',
      path: 'app/node_modules/minimist/package.json',
      layerIndex: 2,
      createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit',
    });
    const images = await get('/api/v1/vulnerabilities/CVE-2021-44906/images', ImageListSchema);
    expect(images.total).toBe(2);
    expect(images.items.map((i) => i.namespace).sort()).toEqual(['shop', 'staging']);
  });

  it('404 problem for an unknown vulnerability, 400 for a malformed id', async () => {
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vulnerabilities/CVE-1999-0000',
    });
    expect(missing.statusCode).toBe(404);
    expect(ProblemSchema.parse(missing.json()).code).toBe('not_found');
    const bad = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vulnerabilities/${encodeURIComponent("x' OR 1=1 --")}`,
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('malicious samples, images and summary', () => {
  it('lists samples with severity filter and detail with paths, layers and hashes', async () => {
    const all = await get('/api/v1/malicious-samples?pageSize=50', SampleListSchema);
    expect(all.total).toBe(12);
    const urgent = await get(
      '/api/v1/malicious-samples?severity=urgent&pageSize=50',
      SampleListSchema,
    );
    expect(urgent.items.every((s) => s.severity === 'urgent')).toBe(true);
    expect(urgent.total).toBe(9);
    const miner = await get('/api/v1/malicious-samples?name=miner', SampleListSchema);
    expect(miner.items.map((s) => s.category)).toEqual(['Miner', 'Miner']);
    const dropper = all.items.find((s) => s.category === 'Trojan/Downloader');
    const detail = await get(`/api/v1/malicious-samples/${dropper?.sha256}`, SampleDetailSchema);
    expect(detail.occurrences[0]).toMatchObject({
      path: 'tmp/.ICE-unix/.x/dropper.sh',
      layerIndex: 4,
      deletedInLayer: 6,
    });
    expect(detail.caution).toMatch(/memory executable|proxy/);
  });

  it('images carry per-tab counts that agree with the lists and the summary', async () => {
    const images = await get('/api/v1/images?pageSize=50', ImageListSchema);
    expect(images.total).toBe(4);
    const summary = await get('/api/v1/summary', SummarySchema);
    expect(summary.images).toBe(4);
    expect(summary.malicious).toMatchObject({ urgent: 9, warning: 3, total: 12 });
    for (const category of ['system', 'application'] as const) {
      for (const priority of ['high', 'medium', 'low'] as const) {
        const list = await get(
          `/api/v1/vulnerabilities?category=${category}&priority=${priority}&pageSize=1`,
          VulnerabilityListSchema,
        );
        expect(list.total, `${category}/${priority}`).toBe(summary[category][priority]);
      }
    }
    const node = images.items.find((i) => i.namespace === 'shop');
    expect(node?.counts.application.high).toBeGreaterThan(0);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/images/${node?.digest}` });
    expect(detail.statusCode).toBe(200);
  });
});

describe('bad input gets a 4xx problem body', () => {
  it.each([
    ['unknown filter key', '/api/v1/vulnerabilities?category=system&nope=1'],
    ['unknown category', '/api/v1/vulnerabilities?category=kernel'],
    ['missing category', '/api/v1/vulnerabilities'],
    ['page size 10^9', '/api/v1/vulnerabilities?category=system&pageSize=1000000000'],
    ['page 0', '/api/v1/vulnerabilities?category=system&page=0'],
    ['malformed instance id', '/api/v1/vulnerabilities?category=system&instanceId=not-a-uuid'],
    ['unknown priority', '/api/v1/vulnerabilities?category=system&priority=urgent'],
    ['sort outside the allow-list', '/api/v1/vulnerabilities?category=system&sort=password'],
    [
      'huge unicode name',
      `/api/v1/vulnerabilities?category=system&name=${encodeURIComponent('🦀'.repeat(500))}`,
    ],
    ['unknown sample severity', '/api/v1/malicious-samples?severity=critical'],
    ['malformed sample hash', '/api/v1/malicious-samples/not-a-hash'],
    ['malformed image digest', '/api/v1/images/latest'],
  ])('%s', async (_label, url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    ProblemSchema.parse(res.json());
  });

  it('SQL-looking filters are data, not SQL', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vulnerabilities?category=system&name=${encodeURIComponent("'; DROP TABLE finding; --")}&repository=${encodeURIComponent('%_\\')}`,
    });
    expect(res.statusCode).toBe(200);
    expect(VulnerabilityListSchema.parse(res.json()).total).toBe(0);
    expect(await t.prisma.finding.count()).toBeGreaterThan(0);
  });
});

describe('finding status moves with each scan', () => {
  it('gone → resolved (out of the open list, in the resolved one); back → open again', async () => {
    const node = reports.get('debian12-node-app.tar') as ScanReport;
    const location = {
      instance: registry,
      namespace: 'shop',
      repository: 'node-app',
      name: 'shop/node-app:1',
    };
    const without = {
      ...node,
      vulnerabilities: (node.vulnerabilities ?? []).filter((v) => v.id !== 'CVE-2021-44906'),
    };
    const after = await seedImage(t.prisma, location, without);
    expect(after.findings.resolved).toBe(1);
    const open = await get(
      '/api/v1/vulnerabilities?category=application&name=CVE-2021-44906',
      VulnerabilityListSchema,
    );
    expect(open.items.find((v) => v.id === 'CVE-2021-44906')?.affectedImages).toBe(1); // staging still has it
    const resolved = await get(
      '/api/v1/vulnerabilities?category=application&status=resolved',
      VulnerabilityListSchema,
    );
    expect(resolved.items.map((v) => v.id)).toEqual(['CVE-2021-44906']);
    const again = await seedImage(t.prisma, location, node);
    expect(again.findings).toMatchObject({ opened: 0, resolved: 0 });
    const reopened = await get(
      '/api/v1/vulnerabilities?category=application&name=CVE-2021-44906',
      VulnerabilityListSchema,
    );
    expect(reopened.items.find((v) => v.id === 'CVE-2021-44906')?.affectedImages).toBe(2);
  });
});
