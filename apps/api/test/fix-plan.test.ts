import { COMPARATORS } from '@drydock/advisories';
import { FixPlanSchema, type ScanReport } from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { createScheduleTickHandler } from '../../worker/src/jobs/schedule-tick.ts';
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

  it('a base (lineage): rebuilding from a newer base clears what the base layers brought, named once the base is scanned', async () => {
    const rebaseOf = async () => {
      const { actions } = await plan('?category=system&limit=500');
      expect(actions.every((a) => a.category === 'system')).toBe(true);
      return actions.find((a) => a.kind === 'rebase');
    };
    const rebase = await rebaseOf();
    expect(rebase?.baseLayer?.diffId).toMatch(/^sha256:/);
    // The three images share Debian's bottom layer: one base under all of them.
    expect(rebase?.images).toBe(3);
    const onBase = await t.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM finding f JOIN image i ON i.id = f.image_id
      WHERE f.status = 'open' AND f.category = 'system' AND f.fixed_version IS NOT NULL
        AND f.layer_index < i.base_layer_count`;
    expect(rebase?.findings).toBe(Number(onBase[0]?.n));
    expect(rebase?.findings).toBeGreaterThan(0);
    expect(rebase?.baseLayer?.name).toBeNull();
    expect(rebase?.title).toMatch(/^Rebuild from a newer base image/);
    // The base image itself scanned: the action names it (the triggers follow the lineage).
    await seedImage(
      t.prisma,
      {
        instance: registry,
        namespace: 'library',
        repository: 'debian',
        name: 'library/debian:12-slim',
      },
      {
        ...reportOf.node,
        target: { ...reportOf.node.target, manifestDigest: `sha256:${'c'.repeat(64)}` },
        layers: reportOf.node.layers.slice(0, 1),
        packages: reportOf.node.packages.filter((p) => p.layerIndex < 1),
        vulnerabilities: [],
        maliciousSamples: [],
      },
    );
    const named = await rebaseOf();
    expect(named?.baseLayer?.name).toBe('library/debian:12-slim');
    expect(named?.title).toBe('Rebuild from a newer library/debian:12-slim');
    expect(named?.findings).toBe(rebase?.findings);
  });

  it('the maintained aggregate equals a recomputation from the findings', async () => {
    const recompute = async () => {
      const actions = await t.prisma.$queryRaw<object[]>`
        SELECT image_id::text, akey, findings, high, kev, clears, vulnerabilities, packages,
               base_name FROM fix_action_image ORDER BY image_id, akey`;
      const stats = await t.prisma.$queryRaw<object[]>`
        SELECT image_id::text, category, open, fixable FROM image_finding_stat ORDER BY 1, 2`;
      return { actions, stats };
    };
    await plan(); // brings the noted images up to date
    expect(await t.prisma.fixActionDirty.count()).toBe(0);
    const kept = await recompute();
    expect(kept.actions.length).toBeGreaterThan(0);
    expect(kept.stats.length).toBeGreaterThan(0);
    await t.prisma.$executeRaw`SELECT refresh_fix_actions(ARRAY(SELECT id FROM image))`;
    expect(await recompute()).toEqual(kept);
    // The fleet-wide vulnerability lists: a superset between prunes, the exact union after one.
    const pairs = () =>
      t.prisma.$queryRaw<{ akey: string; v: string }[]>`
        SELECT akey, vulnerability_id AS v FROM fix_action_vulnerability ORDER BY 1, 2`;
    const exact = await t.prisma.$queryRaw<{ akey: string; v: string }[]>`
      SELECT DISTINCT akey, x AS v FROM fix_action_image, unnest(vulnerabilities) x ORDER BY 1, 2`;
    expect(await pairs()).toEqual(expect.arrayContaining(exact));
    await t.prisma.$queryRaw`SELECT prune_fix_action_vulnerabilities()`;
    expect(await pairs()).toEqual(exact);
    // Unscoped (fleet-wide lists, images from the index) and scoped to the one instance that
    // holds every image (each image's own rows) agree.
    const all = await plan('?limit=500');
    const instance = await t.prisma.registryInstance.findFirstOrThrow();
    const scoped = await plan(`?limit=500&instanceId=${instance.id}`);
    const lists = (p: typeof all) =>
      p.actions.map((a) => [a.key, a.vulnerabilities, a.packages, a.targetVersion, a.sampleImages]);
    expect(lists(scoped)).toEqual(lists(all));
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

  it('after a change to many images the plan says it is catching up; the worker’s tick folds them in', async () => {
    const images = await t.prisma.image.findMany({ select: { id: true } });
    // As a bulk triage over a large fleet leaves them: many images noted as changed.
    await t.prisma.$executeRaw`
      INSERT INTO fix_action_dirty (image_id)
      SELECT gen_random_uuid() FROM generate_series(1, 600)`;
    await t.prisma.fixActionDirty.createMany({ data: images.map((i) => ({ imageId: i.id })) });
    const stale = await plan('?limit=500');
    expect(stale.pendingImages).toBe(600 + images.length);
    const tick = createScheduleTickHandler({
      prisma: t.prisma,
      queue: { send: async () => 'job' },
    });
    const done = await tick();
    expect(done.fixActionsRefreshed).toBe(600 + images.length);
    const fresh = await plan('?limit=500');
    expect(fresh.pendingImages).toBe(0);
    expect(fresh.actions).toEqual(stale.actions);
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
