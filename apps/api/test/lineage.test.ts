import {
  type ScanReport,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import { persistScan } from '@drydock/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
let node: ScanReport;
let py: ScanReport;
const instance = { name: 'prod', url: 'http://127.0.0.1:5000' };
const at = (namespace: string, repository: string, tag: string) => ({
  instance,
  namespace,
  repository,
  name: `${namespace}/${repository}:${tag}`,
});

const get = async <T>(url: string, schema: { parse(v: unknown): T }) => {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return schema.parse(res.json());
};

/** The bottom `n` layers of a real image, as the base image they came from would scan. */
const bottom = (report: ScanReport, n: number): ScanReport => ({
  ...report,
  target: { ...report.target, manifestDigest: `sha256:${'c'.repeat(64)}` },
  layers: report.layers.slice(0, n),
  packages: report.packages.filter((p) => p.layerIndex < n),
  vulnerabilities: (report.vulnerabilities ?? []).filter((v) => v.layerIndex < n),
  maliciousSamples: [],
});

beforeAll(async () => {
  t = await buildTestApp();
  const reports = await scanSharedImages(['debian12-node-app.tar', 'debian12-python-java.oci.tar']);
  node = reports.get('debian12-node-app.tar') as ScanReport;
  py = reports.get('debian12-python-java.oci.tar') as ScanReport;
}, 240_000);
afterAll(async () => {
  await t?.close();
});

describe('base image lineage', () => {
  it('images built on the same Debian layer share an (unnamed) base; a scanned base image names it', async () => {
    expect(node.layers[0]?.diffId).toBe(py.layers[0]?.diffId);
    const shop = await persistScan(t.prisma, at('shop', 'node-app', '1'), node);
    const data = await persistScan(t.prisma, at('data', 'py-java', '1'), py);
    const image = (id: string) => t.prisma.image.findUniqueOrThrow({ where: { id } });
    expect(await image(shop.imageId)).toMatchObject({ baseLayerCount: 1, baseName: null });
    expect(await image(data.imageId)).toMatchObject({ baseLayerCount: 1, baseName: null });
    // The same node-app in another repository is the same stack, not a base of it.
    const twin = await persistScan(t.prisma, at('staging', 'node-app', '1'), node);
    expect(await image(twin.imageId)).toMatchObject({ baseLayerCount: 1 });

    // The base image itself, scanned later: every image on it now names it.
    const base = await persistScan(t.prisma, at('library', 'debian', '12-slim'), bottom(node, 1));
    expect(await image(base.imageId)).toMatchObject({ baseLayerCount: 0 });
    for (const id of [shop.imageId, data.imageId, twin.imageId]) {
      expect(await image(id)).toMatchObject({
        baseLayerCount: 1,
        baseName: 'library/debian:12-slim',
      });
    }
    // An image scanned after its base names it at once.
    const later = await persistScan(t.prisma, at('web', 'node-app', '2'), {
      ...node,
      target: { ...node.target, manifestDigest: `sha256:${'d'.repeat(64)}` },
    });
    expect(await image(later.imageId)).toMatchObject({
      baseLayerCount: 1,
      baseName: 'library/debian:12-slim',
    });
    // An image that names its base (org.opencontainers.image.base.name) is taken at its word.
    const labelled = await persistScan(t.prisma, at('web', 'node-app', '3'), {
      ...node,
      target: {
        ...node.target,
        manifestDigest: `sha256:${'f'.repeat(64)}`,
        labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm-slim' },
      },
    });
    expect(await image(labelled.imageId)).toMatchObject({
      baseLayerCount: 1,
      baseName: 'docker.io/library/debian:bookworm-slim',
    });
  });

  it('"Introduced by" splits every tab between the base image and the images’ own layers', async () => {
    const list = (q: string) =>
      get(`/api/v1/vulnerabilities?category=system&pageSize=200${q}`, VulnerabilityListSchema);
    const [all, fromBase, own] = await Promise.all([
      list(''),
      list('&introducedBy=base'),
      list('&introducedBy=own'),
    ]);
    expect(fromBase.total).toBeGreaterThan(0);
    // Exactly the vulnerabilities of findings in the images' base layers.
    const inBase = await t.prisma.finding.findMany({
      where: {
        category: 'system',
        status: 'open',
        layerIndex: 0,
        image: { baseLayerCount: { gt: 0 } },
      },
      select: { vulnerabilityId: true },
    });
    expect(new Set(fromBase.items.map((v) => v.id))).toEqual(
      new Set(inBase.map((f) => f.vulnerabilityId)),
    );
    // Every system finding of these Debian images is in the base layer or the image's own.
    expect(new Set([...fromBase.items, ...own.items].map((v) => v.id))).toEqual(
      new Set(all.items.map((v) => v.id)),
    );
    const id = fromBase.items[0]?.id as string;
    const detail = await get(`/api/v1/vulnerabilities/${id}`, VulnerabilityDetailSchema);
    const onBase = detail.impact.filter(
      (i) => i.layerIndex === 0 && !i.image.name.startsWith('library/'),
    );
    expect(onBase.length).toBeGreaterThan(0);
    expect(
      onBase.every(
        (i) =>
          i.introducedBy === 'base' &&
          ['library/debian:12-slim', 'docker.io/library/debian:bookworm-slim'].includes(
            i.baseName ?? '',
          ),
      ),
    ).toBe(true);
    const app = await get(
      '/api/v1/vulnerabilities?category=application&introducedBy=base',
      VulnerabilityListSchema,
    );
    // npm packages came with the application's own layers, not with Debian.
    expect(app.total).toBe(0);
  });

  it('triage at the base level covers what the base brought, in every image built on it and in later scans, within the caller’s scope', async () => {
    const image = (name: string) => t.prisma.image.findFirstOrThrow({ where: { name } });
    const shop = await image('shop/node-app:1');
    const debian = await image('library/debian:12-slim');
    // A vulnerability the Debian layer brought: found in layer 0 of every image on it.
    const [pick] = await t.prisma.$queryRaw<{ id: string }[]>`
      SELECT f.vulnerability_id AS id FROM finding f WHERE f.status = 'open' AND f.layer_index = 0
      GROUP BY f.vulnerability_id ORDER BY count(DISTINCT f.image_id) DESC, 1 LIMIT 1`;
    const vuln = pick?.id as string;
    const onBase = await t.prisma.finding.findMany({
      where: { vulnerabilityId: vuln, status: 'open' },
      select: { id: true, layerIndex: true, imageId: true },
    });
    const images = new Set(onBase.map((f) => f.imageId));
    expect(images.size).toBeGreaterThanOrEqual(5);

    // A scoped analyst (namespace shop) decides for the base: only images it sees change.
    const shopNs = await t.prisma.namespace.findFirstOrThrow({ where: { name: 'shop' } });
    const analyst = await t.as('shop-analyst', 'analyst', { namespaceIds: [shopNs.id] });
    const triage = (inject: typeof analyst, scopeImage: string) =>
      inject({
        method: 'POST',
        url: `/api/v1/vulnerabilities/${vuln}/triage`,
        payload: {
          action: 'ignore',
          reason: 'not reachable in our base',
          decision: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          scope: { type: 'base', id: scopeImage },
        },
      });
    const scoped = await triage(analyst, shop.id);
    expect(scoped.statusCode, scoped.body).toBe(200);
    expect(scoped.json().changed).toBe(onBase.filter((f) => f.imageId === shop.id).length);
    // The admin: every image built on Debian's layer, the base image itself included.
    const admin = await triage(t.app.inject.bind(t.app) as typeof analyst, shop.id);
    expect(admin.json().changed).toBe(onBase.length - scoped.json().changed);
    const now = await t.prisma.finding.findMany({ where: { vulnerabilityId: vuln } });
    expect(now.every((f) => f.status === 'ignored' && f.triageDecision === 'not_affected')).toBe(
      true,
    );
    // An image with no base cannot name one.
    const none = await triage(t.app.inject.bind(t.app) as typeof analyst, debian.id);
    expect(none.statusCode).toBe(422);
    expect(none.json().code).toBe('no_base');

    // Later scans on the same base: stored ignored, by the admin's rule anywhere, by the
    // analyst's only inside its namespace. The admin's rule revoked first, to see the analyst's.
    await t.prisma.triageRule.updateMany({
      where: { targetId: vuln, limited: false },
      data: { revokedAt: new Date() },
    });
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    const inShop = await persistScan(t.prisma, at('shop', 'worker', '1'), {
      ...py,
      target: { ...py.target, manifestDigest: digest('1') },
    });
    const elsewhere = await persistScan(t.prisma, at('ops', 'worker', '1'), {
      ...py,
      target: { ...py.target, manifestDigest: digest('2') },
    });
    const statusIn = async (imageId: string) => [
      ...new Set(
        (await t.prisma.finding.findMany({ where: { imageId, vulnerabilityId: vuln } })).map(
          (f) => `${f.status} ${f.triageDecision}`,
        ),
      ),
    ];
    expect(await statusIn(inShop.imageId)).toEqual(['ignored not_affected']);
    expect(await statusIn(elsewhere.imageId)).toEqual(['open null']);
    // Unignore at the base level, named from another image on it, revokes the base's rules.
    const back = await t.app.inject({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${vuln}/triage`,
      payload: { action: 'unignore', scope: { type: 'base', id: elsewhere.imageId } },
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(await t.prisma.triageRule.count({ where: { targetId: vuln, revokedAt: null } })).toBe(0);
  });
});
