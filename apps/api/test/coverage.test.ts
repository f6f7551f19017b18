import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import {
  ImageListSchema,
  ImageRowSchema,
  type ScanReport,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { readDockerArchiveFile, tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFile, seedImage } from '../../../scripts/seed-lib.ts';
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
let tmp: string;
afterAll(async () => {
  await t?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
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

describe('packages known only from a lock file', () => {
  it('are listed with their own filter and marked in the impact as lower confidence', async () => {
    // The node-app image's real package-lock.json, without the node_modules it describes.
    tmp = await mkdtemp(path.join(os.tmpdir(), 'drydock-lock-'));
    const lock = readDockerArchiveFile(
      readFileSync(shared('images', 'debian12-node-app.tar')),
      'app/package-lock.json',
    ) as Buffer;
    const dir = path.join(tmp, 'image');
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([{ path: 'app/package-lock.json', content: lock }]),
        createdBy: 'COPY . /app',
      },
    ]);
    const db = await AdvisoryDb.open(path.join(tmp, 'db'));
    await importAdvisories(db, shared('advisories', 'osv', 'npm'));
    await seedImage(t.prisma, { name: 'lock-only:1' }, await scanFile(dir, db));

    const list = (found?: string) =>
      t.app
        .inject({
          method: 'GET',
          url: `/api/v1/vulnerabilities?category=application${found ? `&found=${found}` : ''}&pageSize=200`,
        })
        .then((r) => VulnerabilityListSchema.parse(r.json()));
    const declared = await list('declared');
    expect(declared.total).toBeGreaterThan(0);
    const installed = await list('installed');
    const all = await list();
    // Every vulnerability is in one list or the other (some in both: installed in node-app).
    const ids = new Set([...declared.items, ...installed.items].map((v) => v.id));
    expect(new Set(all.items.map((v) => v.id))).toEqual(ids);
    const some = declared.items[0];
    const detail = VulnerabilityDetailSchema.parse(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/vulnerabilities/${encodeURIComponent(some?.id ?? '')}`,
        })
      ).json(),
    );
    const lockOnly = detail.impact.filter((i) => i.image.name === 'lock-only:1');
    expect(lockOnly.length).toBeGreaterThan(0);
    for (const i of lockOnly) {
      expect(i).toMatchObject({ declared: true, path: 'app/package-lock.json' });
      expect(i.cause).toMatch(/declared in package-lock\.json \(not found installed\)/);
    }
    // The node-app image has the same packages installed: those rows are not marked.
    const installedRows = detail.impact.filter((i) => i.image.name !== 'lock-only:1');
    expect(installedRows.every((i) => !i.declared)).toBe(true);
  }, 120_000);
});
