import { COMPARATORS } from '@drydock/advisories';
import { FixPlanSchema, type ScanReport } from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
const reportOf: { node: ScanReport } = {} as { node: ScanReport };
const registry = { name: 'prod', url: 'http://127.0.0.1:5000' };

const plan = async (query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/fix-plan${query}` });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return FixPlanSchema.parse(res.json());
};

beforeAll(async () => {
  t = await buildTestApp();
  // Real scans matched against the whole shared mirror: the node app twice (two repositories on
  // the same base layer), the Python/Java image once.
  const reports = await scanSharedImages(['debian12-node-app.tar', 'debian12-python-java.oci.tar']);
  const node = reports.get('debian12-node-app.tar') as ScanReport;
  reportOf.node = node;
  const py = reports.get('debian12-python-java.oci.tar') as ScanReport;
  for (const namespace of ['shop', 'staging']) {
    await seedImage(
      t.prisma,
      { instance: registry, namespace, repository: 'node-app', name: `${namespace}/node-app:1` },
      node,
    );
  }
  await seedImage(
    t.prisma,
    { instance: registry, namespace: 'data', repository: 'py-java', name: 'data/py-java:1' },
    py,
  );
}, 240_000);
afterAll(async () => {
  await t?.close();
});

describe('fix plan', () => {
  it('groups open findings by the upgrade that removes them, with the highest fixed version', async () => {
    const { actions, fixable, unfixable } = await plan('?limit=500');
    expect(fixable).toBe(
      await t.prisma.finding.count({ where: { status: 'open', fixedVersion: { not: null } } }),
    );
    expect(unfixable).toBe(
      await t.prisma.finding.count({ where: { status: 'open', fixedVersion: null } }),
    );
    const minimist = actions.find((a) => a.key === 'upgrade:npm:minimist');
    // CVE-2020-7598 is fixed in 1.2.3, CVE-2021-44906 in 1.2.6: one upgrade to 1.2.6 clears both.
    expect(minimist).toMatchObject({
      kind: 'upgrade',
      title: 'Upgrade minimist (npm) to 1.2.6',
      targetVersion: '1.2.6',
      fixCommand: 'npm install minimist@1.2.6',
      images: 2,
    });
    expect(minimist?.vulnerabilities).toEqual(
      expect.arrayContaining(['CVE-2020-7598', 'CVE-2021-44906']),
    );
    // The first actions list their images (most findings first).
    const top = actions[0];
    expect(top?.sampleImages).toHaveLength(Math.min(top?.images ?? 0, 20));
    // Every upgrade's counts are those of its findings, and its target is the highest fix.
    for (const a of actions.filter((x) => x.kind === 'upgrade').slice(0, 15)) {
      const rows = await t.prisma.finding.findMany({
        where: {
          status: 'open',
          packageType: a.packageType as string,
          packageName: a.packageName as string,
          fixedVersion: { not: null },
          category: a.category,
        },
        select: { imageId: true, fixedVersion: true, priority: true },
      });
      expect(a.findings).toBe(rows.length);
      expect(a.images).toBe(new Set(rows.map((r) => r.imageId)).size);
      expect(a.highFindings).toBe(rows.filter((r) => r.priority === 'high').length);
      const scheme = a.packageType === 'deb' ? COMPARATORS.dpkg : undefined;
      if (scheme) {
        for (const r of rows)
          expect(
            scheme(a.targetVersion as string, r.fixedVersion as string),
          ).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('the Dockerfile step of the images’ own layers that installed the vulnerable versions', async () => {
    const { actions } = await plan('?category=application&limit=500');
    const step = actions.find((a) => a.kind === 'step' && a.step?.includes('npm ci'));
    expect(step?.title).toMatch(/^Change the Dockerfile step "RUN npm ci/);
    expect(step?.images).toBe(2);
    // Every application finding of the node app comes from that step: the step clears them all.
    const open = await t.prisma.finding.count({
      where: {
        status: 'open',
        category: 'application',
        fixedVersion: { not: null },
        createdBy: step?.step as string,
      },
    });
    expect(step?.findings).toBe(open);
    expect(step?.packages).toContainEqual({ type: 'npm', name: 'minimist', version: '1.2.6' });
    expect(step?.fixCommand).toContain('minimist 1.2.6');
  });

  it('ranks by images left clean, then images, High and known-exploited findings', async () => {
    const { actions } = await plan('?limit=500');
    for (let i = 1; i < actions.length; i++) {
      const [a, b] = [actions[i - 1], actions[i]] as [(typeof actions)[0], (typeof actions)[0]];
      const key = (x: typeof a) => [
        x.imagesCleared,
        x.images,
        x.highFindings,
        x.knownExploited,
        x.findings,
      ];
      const [ka, kb] = [key(a), key(b)];
      const order = ka.findIndex((v, j) => v !== kb[j]);
      if (order >= 0) expect(ka[order]).toBeGreaterThan(kb[order] as number);
    }
  });

  it('a shared base layer: rebuilding from a newer base clears the system findings it brought', async () => {
    const { actions } = await plan('?category=system&limit=500');
    const rebase = actions.find((a) => a.kind === 'rebase');
    expect(rebase?.baseLayer?.diffId).toMatch(/^sha256:/);
    expect(rebase?.images).toBeGreaterThanOrEqual(2);
    const onBase = await t.prisma.finding.count({
      where: {
        status: 'open',
        category: 'system',
        layerIndex: 0,
        fixedVersion: { not: null },
        image: { layers: { some: { position: 0, diffId: rebase?.baseLayer?.diffId } } },
      },
    });
    expect(rebase?.findings).toBe(onBase);
    expect(actions.every((a) => a.category === 'system')).toBe(true);
  });

  it('after the next scan, the plan shows what was actually cleared', async () => {
    const before = await plan('?limit=500');
    expect(before.cleared).toEqual([]);
    // shop/node-app rebuilt without lodash: a new digest of the same tag, scanned.
    const old = await t.prisma.image.findFirstOrThrow({ where: { name: 'shop/node-app:1' } });
    // As a registry sync leaves the digest the tag moved away from: gone, its findings resolved.
    await t.prisma.image.update({ where: { id: old.id }, data: { goneAt: new Date(), tags: [] } });
    await t.prisma.finding.updateMany({
      where: { imageId: old.id, status: 'open' },
      data: { status: 'resolved', resolvedAt: new Date() },
    });
    const node = old.tags;
    const rebuilt = structuredClone(reportOf.node);
    rebuilt.target.manifestDigest = `sha256:${'e'.repeat(64)}`;
    rebuilt.target.repoTags = node;
    rebuilt.vulnerabilities = (rebuilt.vulnerabilities ?? []).filter(
      (v) => v.packageName !== 'lodash',
    );
    await seedImage(
      t.prisma,
      { instance: registry, namespace: 'shop', repository: 'node-app', name: 'shop/node-app:1' },
      rebuilt,
    );
    const after = await plan('?limit=500');
    expect(after.cleared).toContainEqual(
      expect.objectContaining({ packageName: 'lodash', category: 'application', images: 1 }),
    );
    expect(after.cleared.every((c) => c.packageName === 'lodash')).toBe(true);
  });

  it('a scope narrows it; what is handled leaves it', async () => {
    const shop = await plan('?namespace=shop&limit=500');
    expect(shop.actions.find((a) => a.key === 'upgrade:npm:minimist')?.images).toBe(1);
    expect(shop.actions.some((a) => a.sampleImages.some((i) => !i.name.startsWith('shop/')))).toBe(
      false,
    );
    await t.prisma.finding.updateMany({
      where: { packageName: 'minimist', status: 'open' },
      data: { status: 'handled' },
    });
    expect((await plan('?limit=500')).actions.some((a) => a.key === 'upgrade:npm:minimist')).toBe(
      false,
    );
  });
});
