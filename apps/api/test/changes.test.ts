import { ChangeListSchema, type ScanReport } from '@drydock/contract';
import { persistScan } from '@drydock/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
let clock = Date.parse('2026-12-01T10:00:00Z');
let node: ScanReport;
const where = {
  instance: { name: 'prod', url: 'http://127.0.0.1:5000' },
  namespace: 'shop',
  repository: 'node-app',
  name: 'shop/node-app:1.0',
};

const changes = async (query: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/changes?pageSize=200&${query}` });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return ChangeListSchema.parse(res.json());
};
const countOf = (
  list: { summary: { change: string; cause: string; count: number }[] },
  change: string,
  cause: string,
) =>
  list.summary
    .filter((s) => s.change === change && s.cause === cause)
    .reduce((n, s) => n + s.count, 0);

beforeAll(async () => {
  t = await buildTestApp({ now: () => clock });
  node = (await scanSharedImages(['debian12-node-app.tar'])).get(
    'debian12-node-app.tar',
  ) as ScanReport;
}, 240_000);
afterAll(async () => {
  await t?.close();
});

describe('what changed', () => {
  let first: string;
  let rebuilt: string;
  const vulns = () => node.vulnerabilities ?? [];
  const withoutMinimist = () => vulns().filter((v) => v.packageName !== 'minimist');
  const minimist = () => vulns().filter((v) => v.packageName === 'minimist');

  it('a first scan: every finding and sample is new, at its first scan', async () => {
    first = (await persistScan(t.prisma, where, node, new Date(clock))).imageId;
    const list = await changes(`imageId=${first}`);
    const distinct = new Set(vulns().map((v) => `${v.id}|${v.purl}|${v.path}`)).size;
    expect(countOf(list, 'new', 'first_scan')).toBe(
      distinct + (node.maliciousSamples?.length ?? 0),
    );
    expect(list.items.every((i) => i.image.id === first && i.previousImage === null)).toBe(true);
  });

  it('a new digest of the same tag is compared with the previous one: what the rebuild removed is resolved by new image content', async () => {
    clock += 3600_000;
    const digest = `sha256:${'a'.repeat(64)}`;
    rebuilt = (
      await persistScan(
        t.prisma,
        where,
        {
          ...node,
          target: { ...node.target, manifestDigest: digest },
          vulnerabilities: withoutMinimist(),
        },
        new Date(clock),
      )
    ).imageId;
    expect(rebuilt).not.toBe(first);
    const list = await changes(`imageId=${rebuilt}`);
    const gone = new Set(minimist().map((v) => v.id));
    expect(gone.size).toBeGreaterThan(0);
    expect(list.items.map((i) => `${i.change}:${i.cause}:${i.targetId}`).sort()).toEqual(
      [...gone].map((id) => `resolved:image_content:${id}`).sort(),
    );
    expect(list.items[0]).toMatchObject({
      packageName: 'minimist',
      previousImage: { id: first },
      image: { id: rebuilt, digest },
    });
  });

  it('the same digest matched again after an advisory import: new findings say so', async () => {
    clock += 3600_000;
    const digest = `sha256:${'a'.repeat(64)}`;
    await persistScan(
      t.prisma,
      where,
      { ...node, target: { ...node.target, manifestDigest: digest } },
      new Date(clock),
      { cause: 'advisories' },
    );
    const since = new Date(clock - 1000).toISOString();
    const list = await changes(`imageId=${rebuilt}&since=${encodeURIComponent(since)}`);
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((i) => i.change === 'new' && i.cause === 'advisories')).toBe(true);
    expect(new Set(list.items.map((i) => i.targetId))).toEqual(
      new Set(minimist().map((v) => v.id)),
    );
  });

  it('an ignore that expires reintroduces its findings, and says why', async () => {
    const ignore = await (await t.as('alice', 'analyst'))({
      method: 'POST',
      url: '/api/v1/vulnerabilities/CVE-2021-44906/triage',
      payload: {
        action: 'ignore',
        reason: 'until the rebuild',
        expiresAt: new Date(clock + 3600_000).toISOString(),
      },
    });
    expect(ignore.statusCode).toBe(200);
    clock += 2 * 3600_000;
    await t.app.inject({ method: 'GET', url: '/api/v1/vulnerabilities?category=application' });
    const list = await changes(`cause=triage_expired`);
    expect(list.items.map((i) => i.targetId)).toEqual(['CVE-2021-44906', 'CVE-2021-44906']);
    expect(list.items.every((i) => i.change === 'reintroduced')).toBe(true);
  });

  it('as a registry sync leaves it: the new digest listed before its scan, the old one gone with its tags cleared', async () => {
    clock += 3600_000;
    const repo = await t.prisma.repository.findFirstOrThrow({ where: { name: 'node-app' } });
    // The sync: the tag now points at a third digest (row created, not scanned yet); the image
    // it left is gone, tags cleared, its open findings resolved.
    const digest = `sha256:${'b'.repeat(64)}`;
    const synced = await t.prisma.image.create({
      data: { repositoryId: repo.id, digest, tags: ['1.0'], name: 'shop/node-app:1.0' },
    });
    // (The first digest had left when the tag moved to the rebuilt one.)
    await t.prisma.image.update({
      where: { id: first },
      data: { goneAt: new Date(clock - 3 * 3600_000), tags: [] },
    });
    await t.prisma.image.update({
      where: { id: rebuilt },
      data: { goneAt: new Date(clock), tags: [] },
    });
    await t.prisma.finding.updateMany({
      where: { imageId: rebuilt, status: 'open' },
      data: { status: 'resolved', resolvedAt: new Date(clock) },
    });
    clock += 60_000;
    const scanned = await persistScan(
      t.prisma,
      where,
      {
        ...node,
        target: { ...node.target, manifestDigest: digest },
        vulnerabilities: withoutMinimist(),
      },
      new Date(clock),
    );
    expect(scanned.imageId).toBe(synced.id);
    const list = await changes(`imageId=${synced.id}`);
    // Compared with the image it replaced (its last scan had minimist back): only minimist left.
    expect(new Set(list.items.map((i) => `${i.change}:${i.cause}:${i.packageName}`))).toEqual(
      new Set(['resolved:image_content:minimist']),
    );
    expect(list.items.every((i) => i.previousImage?.id === rebuilt)).toBe(true);
  });

  it('the fleet since a date, filtered by change and scope; bad input is a 400', async () => {
    const all = await changes('since=2026-11-30T00:00:00.000Z');
    expect(all.total).toBe(all.summary.reduce((n, s) => n + s.count, 0));
    const resolved = await changes('change=resolved&namespace=shop');
    expect(resolved.items.every((i) => i.change === 'resolved')).toBe(true);
    expect((await changes('namespace=elsewhere')).total).toBe(0);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/changes?change=vanished' });
    expect(bad.statusCode).toBe(400);
  });
});
