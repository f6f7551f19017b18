import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importAdvisories } from '@drydock/advisories';
import { SbomImportedSchema, type ScanReport } from '@drydock/contract';
import { PgAdvisoryStore } from '@drydock/db';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

let t: TestApp;
let node: ScanReport;
const fixture = (name: string) =>
  readFileSync(
    path.join(import.meta.dirname, '../../../packages/sbom/test/fixtures', name),
    'utf8',
  );

beforeAll(async () => {
  t = await buildTestApp();
  await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories'));
  node = (await scanImage(shared('images', 'debian12-node-app.tar'))).report;
}, 240_000);
afterAll(async () => {
  await t?.close();
});

const importSbom = (body: string, query = '', contentType = 'application/json') =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/sboms${query}`,
    headers: { 'content-type': contentType },
    payload: body,
  });

/** An image's open findings, as comparable rows. */
const findingsOf = async (imageId: string) =>
  (
    await t.prisma.finding.findMany({
      where: { imageId },
      select: {
        vulnerabilityId: true,
        packageName: true,
        installedVersion: true,
        fixedVersion: true,
        path: true,
        layerIndex: true,
        priority: true,
        category: true,
        status: true,
      },
    })
  )
    .map((f) => JSON.stringify(f))
    .sort();

describe('SBOM in', () => {
  it('round trip: Drydock’s own SBOM (CycloneDX and SPDX) read back gives the same findings', async () => {
    const pushed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports?name=shop/node-app:1',
      payload: node,
    });
    expect(pushed.statusCode, pushed.body.slice(0, 300)).toBe(201);
    const original = await findingsOf(pushed.json().imageId);
    expect(original.length).toBeGreaterThan(20);
    for (const format of ['cyclonedx', 'spdx']) {
      const sbom = await t.app.inject({
        method: 'GET',
        url: `/api/v1/images/${pushed.json().imageId}/sbom?format=${format}`,
      });
      const res = await importSbom(
        sbom.body,
        `?name=roundtrip-${format}`,
        format === 'cyclonedx' ? 'application/vnd.cyclonedx+json' : 'application/spdx+json',
      );
      expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
      const imported = SbomImportedSchema.parse(res.json());
      expect(imported).toMatchObject({
        format,
        tool: expect.stringMatching(/^drydock/),
        warnings: [],
      });
      // The SBOM names the image it describes (its digest): the same image, matched again from
      // the SBOM's inventory alone — nothing new, nothing resolved, every finding as it was.
      expect(imported.imageId).toBe(pushed.json().imageId);
      expect(imported.findings).toEqual({ opened: 0, stillOpen: original.length, resolved: 0 });
      expect(await findingsOf(imported.imageId)).toEqual(original);
    }
    // And on a server that never saw the image: the SBOM alone recreates the same findings.
    const sbom = await t.app.inject({
      method: 'GET',
      url: `/api/v1/images/${pushed.json().imageId}/sbom`,
    });
    await t.prisma.image.delete({ where: { id: pushed.json().imageId } });
    const fresh = SbomImportedSchema.parse((await importSbom(sbom.body)).json());
    expect(fresh.findings.opened).toBe(original.length);
    expect(await findingsOf(fresh.imageId)).toEqual(original);
  });

  it('an SBOM by another tool (Trivy’s test data) shows like a scanned image, trigger sbom', async () => {
    const res = await importSbom(fixture('trivy-maven-test-project.cdx.json'));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    const imported = SbomImportedSchema.parse(res.json());
    expect(imported).toMatchObject({ format: 'cyclonedx', tool: 'trivy dev', packages: 6 });
    const image = await t.prisma.image.findUniqueOrThrow({ where: { id: imported.imageId } });
    expect(image.name).toBe('maven-test-project:latest');
    expect(image.osFamily).toBe('alpine');
    const scans = (await t.app.inject({ method: 'GET', url: '/api/v1/scans' })).json();
    expect(scans.items[0]).toMatchObject({ trigger: 'sbom', status: 'succeeded' });
    // It can be downloaded again (its inventory is stored).
    const again = await t.app.inject({ method: 'GET', url: `/api/v1/images/${image.id}/sbom` });
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body).components).toHaveLength(6);
    const spdx = await importSbom(
      fixture('trivy-maven-test-project.spdx.json'),
      '?name=trivy-spdx',
    );
    expect(SbomImportedSchema.parse(spdx.json())).toMatchObject({ format: 'spdx', packages: 6 });
  });

  it('bad documents: a 4xx problem naming the field or the line; size bounded; scan permission', async () => {
    const broken = await importSbom(
      '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",\n  oops\n}',
    );
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ code: 'invalid_sbom' });
    expect(broken.json().detail).toMatch(/line 4/);
    const doc = JSON.parse(fixture('trivy-maven-test-project.cdx.json'));
    doc.components[2].purl = 17;
    const wrong = await importSbom(JSON.stringify(doc, null, 2));
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().detail).toMatch(/at components\[2\]\.purl, line \d+/);
    expect((await importSbom('{"not": "an sbom"}')).json().detail).toMatch(
      /neither bomFormat nor spdxVersion/,
    );
    const huge = await importSbom(
      `{"bomFormat":"CycloneDX","x":"${'a'.repeat(65 * 1024 * 1024)}"}`,
    );
    expect(huge.statusCode).toBe(413);
    const viewer = await t.as('sbom-viewer', 'viewer');
    const denied = await viewer({
      method: 'POST',
      url: '/api/v1/sboms',
      headers: { 'content-type': 'application/json' },
      payload: fixture('trivy-maven-test-project.cdx.json'),
    });
    expect(denied.statusCode).toBe(403);
  });
});
