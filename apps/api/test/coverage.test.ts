import { ImageListSchema, ImageRowSchema, type ScanReport } from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
let report: ScanReport;

beforeAll(async () => {
  t = await buildTestApp();
  // Only the npm advisories are imported: the image's Debian packages cannot be checked.
  report = (await scanSharedImages(['debian12-node-app.tar'], ['advisories', 'osv', 'npm'])).get(
    'debian12-node-app.tar',
  ) as ScanReport;
  await seedImage(
    t.prisma,
    {
      instance: { name: 'prod', url: 'http://127.0.0.1:5000' },
      namespace: 'shop',
      repository: 'node-app',
      name: 'shop/node-app:1',
    },
    report,
  );
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('an image the advisory database could not fully check', () => {
  it('says which packages were not checked, on the image and in the images list', async () => {
    const system = report.packages.filter((p) => p.type === 'deb').length;
    expect(system).toBeGreaterThan(50);
    const list = ImageListSchema.parse(
      (await t.app.inject({ method: 'GET', url: '/api/v1/images' })).json(),
    );
    const row = list.items[0];
    expect(row?.warnings[0]).toEqual({
      code: 'advisories_missing',
      message: `no advisories for Debian 12 in the database (Debian:12): ${system} system packages not checked for vulnerabilities; import them`,
    });
    const one = ImageRowSchema.parse(
      (await t.app.inject({ method: 'GET', url: `/api/v1/images/${row?.digest}` })).json(),
    );
    expect(one.warnings).toEqual(row?.warnings);
    // The npm packages were checked: no gap is reported for them.
    expect(
      one.warnings.some((w) => /npm/.test(w.message) && w.code.startsWith('advisories_')),
    ).toBe(false);
  });
});
